"""The Faker providers: the physics and crystallography they promise."""

from __future__ import annotations

import math
from random import Random

import pytest
from faker import Faker
from faker.providers import BaseProvider

from scicatlive.seeding.providers import (
    DETECTORS,
    HC_KEV_ANGSTROM,
    PROVIDERS,
    SOHNCKE_GROUPS,
    CrystalSystem,
    SpaceGroup,
    UnitCell,
    bragg_resolution,
    corner_radius,
    edge_radius,
    molecular_mass_kda,
    mx_faker,
    obeys_system,
    space_group,
    wavelength_from_energy,
)
from scicatlive.seeding.providers.collections import (
    IMAGES_PER_DATA_FILE,
    RotationSweep,
    collection_geometry,
    distance_for_resolution,
    image_files,
    interrupted,
    rotation_sweep,
)
from scicatlive.seeding.providers.crystals import jittered_cell, random_cell
from scicatlive.seeding.providers.proteins import KNOWN_PROTEINS, RESIDUE_MASS_DA
from scicatlive.seeding.providers.statistics import scaling_statistics, shell_boundaries

# The 65 Sohncke space-group numbers (International Tables).
SOHNCKE_NUMBERS = {
    1, 3, 4, 5, *range(16, 25), *range(75, 81), *range(89, 99), *range(143, 147), *range(149, 156),
    *range(168, 174), *range(177, 183), *range(195, 200), *range(207, 215),
}  # fmt: skip


def test_providers_register_the_standard_faker_way() -> None:
    fake = Faker()
    for provider in PROVIDERS:
        assert issubclass(provider, BaseProvider)
        fake.add_provider(provider)
    fake.seed_instance(3)
    first = (fake.protein().acronym, fake.sohncke_space_group().symbol, fake.mx_detector().model)
    fake.seed_instance(3)
    assert (
        fake.protein().acronym,
        fake.sohncke_space_group().symbol,
        fake.mx_detector().model,
    ) == first


def test_there_are_exactly_the_65_sohncke_groups() -> None:
    assert len(SOHNCKE_GROUPS) == 65
    assert {group.number for group in SOHNCKE_GROUPS} == SOHNCKE_NUMBERS
    assert space_group("P212121") is space_group("P 21 21 21")


@pytest.mark.parametrize("group", SOHNCKE_GROUPS, ids=lambda g: g.short_name)
def test_every_group_gets_cells_of_its_crystal_system(group: SpaceGroup) -> None:
    rng = Random(group.number)
    for _ in range(20):
        cell = random_cell(rng, group)
        assert obeys_system(cell, group.system), cell
        assert obeys_system(jittered_cell(rng, cell, group), group.system)
        assert cell.volume > 0


@pytest.mark.parametrize(
    ("system", "cell", "valid"),
    [
        (CrystalSystem.CUBIC, UnitCell(80, 80, 80, 90, 90, 90), True),
        (CrystalSystem.CUBIC, UnitCell(80, 80, 81, 90, 90, 90), False),
        (CrystalSystem.TETRAGONAL, UnitCell(79.1, 79.1, 38.0, 90, 90, 90), True),
        (CrystalSystem.TETRAGONAL, UnitCell(79.1, 79.2, 38.0, 90, 90, 90), False),
        (CrystalSystem.HEXAGONAL, UnitCell(92.8, 92.8, 128.5, 90, 90, 120), True),
        (CrystalSystem.TRIGONAL, UnitCell(92.8, 92.8, 128.5, 90, 90, 90), False),
        (CrystalSystem.MONOCLINIC, UnitCell(64.1, 30.8, 34.7, 90, 105.9, 90), True),
        (CrystalSystem.MONOCLINIC, UnitCell(64.1, 30.8, 34.7, 90, 90, 90), False),
        (CrystalSystem.ORTHORHOMBIC, UnitCell(54.9, 58.6, 67.5, 90, 90, 90), True),
        (CrystalSystem.TRICLINIC, UnitCell(30, 40, 50, 90, 90, 90), False),
    ],
)
def test_crystal_system_constraints(system: CrystalSystem, cell: UnitCell, valid: bool) -> None:
    assert obeys_system(cell, system) is valid


def test_known_proteins_keep_their_real_crystal_forms() -> None:
    for entry in KNOWN_PROTEINS:
        assert obeys_system(UnitCell(*entry.cell), space_group(entry.group).system), entry.acronym


def test_molecular_mass_is_the_sum_of_residue_masses() -> None:
    fake = mx_faker(11)
    for _ in range(50):
        protein = fake.protein()
        assert set(protein.sequence) <= set(RESIDUE_MASS_DA)
        expected = (sum(RESIDUE_MASS_DA[r] for r in protein.sequence) + 18.0153) / 1000
        assert protein.molecular_mass == pytest.approx(expected, abs=0.01)
        assert 1 <= len(protein.acronym) <= 45
    lysozyme = next(p for p in KNOWN_PROTEINS if p.acronym == "HEWL")
    assert molecular_mass_kda(lysozyme.sequence or "") == pytest.approx(14.31, abs=0.01)


@pytest.mark.parametrize("energy", [5.0, 6.5, 8.0, 12.398, 12.6578, 17.5, 25.0])
def test_wavelength_times_energy_is_12_398(energy: float) -> None:
    assert wavelength_from_energy(energy) * energy == pytest.approx(12.398, abs=5e-4)
    geometry = collection_geometry(Random(1), DETECTORS["Eiger 16M"], energy, 2.0)
    assert geometry.wavelength * geometry.energy_kev == pytest.approx(12.398, abs=1e-3)
    assert HC_KEV_ANGSTROM == pytest.approx(12.398, abs=5e-4)


def test_bragg_resolution_by_hand() -> None:
    # 2θ = 45° (r = D): d = λ / (2 sin 22.5°)
    assert bragg_resolution(1.0, 100.0, 100.0) == pytest.approx(
        1 / (2 * math.sin(math.radians(22.5)))
    )
    # and the inverse puts that resolution back at that radius
    assert distance_for_resolution(1.3066, 1.0, 100.0) == pytest.approx(100.0, rel=1e-3)


@pytest.mark.parametrize("model", sorted(DETECTORS))
@pytest.mark.parametrize("target", [0.9, 1.5, 2.5, 4.0])
def test_resolution_is_what_distance_and_wavelength_allow(model: str, target: float) -> None:
    detector = DETECTORS[model]
    rng = Random(hash((model, target)) & 0xFFFF)
    for energy in (6.0, 12.7, 20.0):
        g = collection_geometry(rng, detector, energy, target)
        assert detector.distance_min_mm <= g.detector_distance <= detector.distance_max_mm
        edge = bragg_resolution(
            g.wavelength, g.detector_distance, edge_radius(detector, g.x_beam, g.y_beam)
        )
        corner = bragg_resolution(
            g.wavelength, g.detector_distance, corner_radius(detector, g.x_beam, g.y_beam)
        )
        assert g.resolution == pytest.approx(edge, abs=1e-3)
        assert g.resolution_at_corner == pytest.approx(corner, abs=1e-3)
        assert g.resolution_at_corner < g.resolution
        if g.detector_distance == detector.distance_min_mm:  # the detector could not come closer
            assert g.resolution >= target - 1e-3
        elif g.detector_distance < detector.distance_max_mm:
            assert g.resolution == pytest.approx(max(target, g.wavelength / 2 * 1.05), abs=2e-3)


@pytest.mark.parametrize("total", [90.0, 180.0, 360.0])
def test_images_are_rotation_over_oscillation(total: float) -> None:
    rng = Random(int(total))
    for model in sorted(DETECTORS):
        sweep = rotation_sweep(rng, DETECTORS[model], total)
        assert sweep.number_of_images == pytest.approx(total / sweep.oscillation)
        assert sweep.axis_end == pytest.approx(sweep.axis_start + total)
        assert sweep.exposure_time >= DETECTORS[model].min_exposure_s
        partial = interrupted(sweep, 0.3)
        assert partial.axis_end - partial.axis_start == pytest.approx(
            partial.number_of_images * sweep.oscillation
        )


@pytest.mark.parametrize("images", [1, 999, 1000, 1001, 3600, 7200])
def test_eiger_writes_a_master_and_one_data_file_per_1000_images(images: int) -> None:
    sweep = RotationSweep(0.0, 0.1, images, 0.01)
    files = image_files(Random(images), DETECTORS["Eiger 16M"], "lyso-01", 2, sweep)
    assert files[0].name == "lyso-01_2_master.h5"
    data = files[1:]
    assert len(data) == math.ceil(images / IMAGES_PER_DATA_FILE)
    assert [f.name for f in data] == [f"lyso-01_2_data_{i:06d}.h5" for i in range(1, len(data) + 1)]
    assert all(f.size > 0 for f in files)
    per_image = [
        f.size / min(IMAGES_PER_DATA_FILE, images - i * IMAGES_PER_DATA_FILE)
        for i, f in enumerate(data)
    ]
    assert max(per_image) / min(per_image) < 1.1  # sizes follow the image count
    assert data[-1].written_after_s == pytest.approx(images * 0.01)


def test_pilatus_writes_one_cbf_per_image() -> None:
    sweep = RotationSweep(0.0, 0.2, 450, 0.05)
    files = image_files(Random(5), DETECTORS["Pilatus 6M"], "thau-03", 1, sweep)
    assert [f.name for f in files[:2]] == ["thau-03_1_0001.cbf", "thau-03_1_0002.cbf"]
    assert len(files) == 450


@pytest.mark.parametrize("seed", range(30))
def test_outer_shell_is_worse_than_overall_is_worse_than_inner(seed: int) -> None:
    rng = Random(seed)
    group = rng.choice(SOHNCKE_GROUPS)
    cell = random_cell(rng, group)
    stats = scaling_statistics(
        rng, group, cell, rng.uniform(1.0, 3.0), rng.choice([90.0, 180.0, 360.0]), seed % 2 == 0
    )
    inner, overall, outer = stats.inner, stats.overall, stats.outer
    assert inner.r_merge < overall.r_merge < outer.r_merge
    assert inner.mean_i_over_sig_i > overall.mean_i_over_sig_i > outer.mean_i_over_sig_i
    assert inner.cc_half > overall.cc_half > outer.cc_half
    assert outer.completeness <= overall.completeness <= 100.0
    for shell in stats.shells():
        assert shell.r_pim < shell.r_merge < shell.r_meas  # Diederichs & Karplus
        assert shell.n_total_observations == pytest.approx(
            shell.n_unique_observations * shell.multiplicity, rel=0.03
        )
        assert shell.resolution_limit_low > shell.resolution_limit_high
        assert 0 < shell.cc_half <= 1 and shell.r_merge < 5  # fractions, not percent
    assert inner.resolution_limit_low == overall.resolution_limit_low
    assert outer.resolution_limit_high == overall.resolution_limit_high
    assert inner.resolution_limit_high > outer.resolution_limit_low
    assert inner.n_unique_observations + outer.n_unique_observations < overall.n_unique_observations
    assert (stats.overall.cc_anomalous is None) is (seed % 2 == 1)
    if seed % 2 == 0:  # SAD: a signal, strongest at low resolution, noise (0.8) at the edge
        assert inner.sig_ano > overall.sig_ano > outer.sig_ano >= 0.8
    else:  # native: noise and a little light-atom signal, about 1
        assert 1.2 >= inner.sig_ano >= overall.sig_ano >= outer.sig_ano >= 0.75


@pytest.mark.parametrize("isa", [8.0, 15.0, 40.0])
def test_isa_bounds_the_merged_i_over_sigma_of_the_inner_shell(isa: float) -> None:
    for seed in range(20):
        rng = Random(seed)
        group = rng.choice(SOHNCKE_GROUPS)
        stats = scaling_statistics(rng, group, random_cell(rng, group), 2.0, 180.0, False, isa)
        inner = stats.inner
        # within the rounding of the reported multiplicity (0.1) and I/σ(I) (0.1)
        assert inner.mean_i_over_sig_i <= 0.9 * isa * math.sqrt(inner.multiplicity + 0.05) + 0.05
        assert inner.mean_i_over_sig_i > stats.overall.mean_i_over_sig_i


def test_shells_cut_equal_reciprocal_volumes() -> None:
    inner_high, outer_low = shell_boundaries(50.0, 2.0)
    step = (2.0**-3 - 50.0**-3) / 20
    assert inner_high**-3 - 50.0**-3 == pytest.approx(step)
    assert 2.0**-3 - outer_low**-3 == pytest.approx(step)
