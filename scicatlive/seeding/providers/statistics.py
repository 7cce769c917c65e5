"""Scaling statistics in ISPyB's three shells: overall, innerShell, outerShell.

Conventions (the DLS/xia2 one; EDNA at the ESRF stores R-factors in percent):

* ``rMerge``, ``rMeasAllIPlusIMinus``, ``rPimAllIPlusIMinus``, ``ccHalf`` and
  ``ccAno`` are **fractions** (0.05, not 5 %); ``completeness`` and
  ``anomalousCompleteness`` are **percent**.
* R-factors follow Diederichs & Karplus: for a shell with multiplicity n,
  R_meas = R_merge·√(n/(n−1)) and R_pim = R_merge·√(1/(n−1)), so
  R_pim < R_merge < R_meas.
* Shells split reciprocal space (in 1/d³) into 20 equal volumes; the inner
  shell is the first and the outer shell the last. The outer shell is the
  worst: highest R, lowest I/σ(I) and CC½; the overall values lie between.
* Unique reflections: the reciprocal-space volume of the shell divided by the
  asymmetric unit, N = 4π/3 · V · (1/d_high³ − 1/d_low³) / (2 · |point group| · lattice points),
  times completeness; observations = unique × multiplicity.
* ISa (XDS, Diederichs 2010) is the I/σ(I) of an infinitely strong reflection: a
  property of the setup. Merging n observations gains at most √n, so the inner
  shell's merged I/σ(I) stays below ISa·√n.
* SigAno (XDS/XSCALE): the mean anomalous difference |F(+) − F(−)| in units of its
  standard deviation. Noise alone gives about 0.8 (the mean of |z| for a normal z is
  √(2/π)); a native crystal's light atoms give ≈ 1 at low resolution. Anomalous data
  follow their CC_ano: SigAno = 0.8 + k · CC_ano (k the same for the three shells), so
  the inner shell is strongest and the outer shell near noise.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from random import Random

from faker.providers import BaseProvider

from scicatlive.seeding.providers.crystals import SpaceGroup, UnitCell

SHELLS_IN_RECIPROCAL_VOLUME = 20
SIG_ANO_OF_NOISE = 0.8
# The inner shell's merged I/σ(I) reaches at most this share of ISa·√multiplicity: its
# reflections are strong, not infinitely strong.
ASYMPTOTIC_SHARE = 0.9


@dataclass(frozen=True)
class ShellStatistics:
    shell: str  # ISPyB scalingStatisticsType
    resolution_limit_low: float
    resolution_limit_high: float
    r_merge: float
    r_meas: float
    r_pim: float
    mean_i_over_sig_i: float
    completeness: float
    multiplicity: float
    anomalous_completeness: float
    anomalous_multiplicity: float
    cc_half: float
    cc_anomalous: float | None
    sig_ano: float
    n_total_observations: int
    n_unique_observations: int


@dataclass(frozen=True)
class ScalingStatistics:
    overall: ShellStatistics
    inner: ShellStatistics
    outer: ShellStatistics

    def shells(self) -> tuple[ShellStatistics, ShellStatistics, ShellStatistics]:
        return self.overall, self.inner, self.outer


def possible_unique_reflections(
    cell: UnitCell, group: SpaceGroup, d_low: float, d_high: float
) -> float:
    """Unique reflections (Friedel mates merged) between two resolutions, at 100 % completeness."""
    reciprocal_volume = 4.0 * math.pi / 3.0 * (d_high**-3 - d_low**-3)
    return cell.volume * reciprocal_volume / (2 * group.point_group_order * group.lattice_points)


def shell_boundaries(d_low: float, d_high: float) -> tuple[float, float]:
    """(high limit of the inner shell, low limit of the outer shell)."""
    low, high = d_low**-3, d_high**-3
    step = (high - low) / SHELLS_IN_RECIPROCAL_VOLUME
    return (low + step) ** (-1 / 3), (high - step) ** (-1 / 3)


def _between(rng: Random, worse: float, better: float, low: float, high: float) -> float:
    """A value a fraction ``low..high`` of the way from ``worse`` to ``better``."""
    return worse + (better - worse) * rng.uniform(low, high)


def scaling_statistics(
    rng: Random,
    group: SpaceGroup,
    cell: UnitCell,
    d_high: float,
    total_rotation: float,
    anomalous: bool,
    isa: float | None = None,
    *,
    later: Random | None = None,
) -> ScalingStatistics:
    """``isa``: the setup's XDS ISa, which bounds the inner shell's merged I/σ(I).
    ``later``: the stream for SigAno (a field added later; ``rng`` by default), so that
    ``rng`` draws what it drew before SigAno existed."""
    extra = rng if later is None else later
    d_low = round(min(cell.longest_edge, rng.uniform(35.0, 60.0)), 2)
    d_high = round(d_high, 2)
    inner_high, outer_low = (round(d, 2) for d in shell_boundaries(d_low, d_high))
    # Rpim < Rmerge needs more than two observations per reflection on average.
    base_multiplicity = max(
        3.0, total_rotation / 360.0 * 2 * group.point_group_order * rng.uniform(0.85, 1.0)
    )

    completeness_outer = rng.uniform(85.0, 99.5)
    inner = _Shell(
        r_merge=rng.uniform(0.02, 0.06),
        i_over_sigma=rng.uniform(20.0, 60.0),
        cc_half=rng.uniform(0.995, 0.9999),
        completeness=rng.uniform(97.0, 100.0),
        multiplicity=base_multiplicity * rng.uniform(0.95, 1.05),
        cc_anomalous=rng.uniform(0.5, 0.9),
        sig_ano=extra.uniform(0.95, 1.15),
    )
    if isa is not None:  # n observations of a strong reflection merge to at most ISa·√n
        ceiling = ASYMPTOTIC_SHARE * isa * math.sqrt(inner.multiplicity)
        inner = replace(inner, i_over_sigma=min(inner.i_over_sigma, ceiling))
    outer = _Shell(
        r_merge=rng.uniform(0.6, 2.5),
        i_over_sigma=rng.uniform(1.0, 2.5),
        cc_half=rng.uniform(0.3, 0.85),
        completeness=completeness_outer,
        multiplicity=base_multiplicity * rng.uniform(0.8, 0.97),
        cc_anomalous=rng.uniform(-0.05, 0.15),
        sig_ano=extra.uniform(0.78, 0.92),
    )
    overall = _Shell(
        r_merge=_between(rng, inner.r_merge, outer.r_merge, 0.04, 0.12),
        i_over_sigma=_between(rng, outer.i_over_sigma, inner.i_over_sigma, 0.2, 0.45),
        cc_half=_between(rng, inner.cc_half, outer.cc_half, 0.005, 0.03),
        completeness=_between(rng, completeness_outer, 100.0, 0.6, 0.95),
        multiplicity=base_multiplicity,
        cc_anomalous=_between(rng, outer.cc_anomalous, inner.cc_anomalous, 0.3, 0.7),
        sig_ano=_between(extra, outer.sig_ano, inner.sig_ano, 0.2, 0.5),
    )
    slope = extra.uniform(2.0, 3.0)  # SigAno per unit of CC_ano, one per data set

    def shell(name: str, values: _Shell, low: float, high: float) -> ShellStatistics:
        if anomalous:
            sig_ano = SIG_ANO_OF_NOISE + slope * max(values.cc_anomalous, 0.0)
            values = replace(values, sig_ano=sig_ano)
        return values.finish(
            rng, name, low, high, possible_unique_reflections(cell, group, low, high), anomalous
        )

    return ScalingStatistics(
        overall=shell("overall", overall, d_low, d_high),
        inner=shell("innerShell", inner, d_low, inner_high),
        outer=shell("outerShell", outer, outer_low, d_high),
    )


@dataclass(frozen=True)
class _Shell:
    r_merge: float
    i_over_sigma: float
    cc_half: float
    completeness: float
    multiplicity: float
    cc_anomalous: float
    sig_ano: float

    def finish(
        self, rng: Random, name: str, low: float, high: float, possible: float, anomalous: bool
    ) -> ShellStatistics:
        n = self.multiplicity
        unique = max(1, round(possible * self.completeness / 100.0))
        return ShellStatistics(
            shell=name,
            resolution_limit_low=low,
            resolution_limit_high=high,
            r_merge=round(self.r_merge, 4),
            r_meas=round(self.r_merge * math.sqrt(n / (n - 1)), 4),
            r_pim=round(self.r_merge * math.sqrt(1 / (n - 1)), 4),
            mean_i_over_sig_i=round(self.i_over_sigma, 1),
            completeness=round(self.completeness, 1),
            multiplicity=round(n, 1),
            anomalous_completeness=round(self.completeness * rng.uniform(0.93, 1.0), 1),
            anomalous_multiplicity=round(n / 2 * rng.uniform(0.95, 1.0), 1),
            cc_half=round(self.cc_half, 4),
            cc_anomalous=round(self.cc_anomalous, 3) if anomalous else None,
            sig_ano=round(self.sig_ano, 3),
            n_total_observations=round(unique * n),
            n_unique_observations=unique,
        )


class ScalingStatisticsProvider(BaseProvider):
    """Faker provider: ``fake.scaling_statistics(group, cell, d_high, total_rotation, anomalous)``."""

    def scaling_statistics(
        self,
        group: SpaceGroup,
        cell: UnitCell,
        d_high: float,
        total_rotation: float = 180.0,
        anomalous: bool = False,
        isa: float | None = None,
    ) -> ScalingStatistics:
        return scaling_statistics(
            self.generator.random, group, cell, d_high, total_rotation, anomalous, isa
        )
