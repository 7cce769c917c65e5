"""What the driver is asked to do: plain parameters, as JSON-friendly dataclasses.

Nothing here imports mxcubecore, so a caller in another environment (scicatlive's
own, which fills the values from its Faker providers) can build plans with these
classes and send them to the driver as JSON.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any, TypeVar

T = TypeVar("T")

# mxcubecore's time format for collection, robot and scan times.
MXCUBE_TIME = "%Y-%m-%d %H:%M:%S"


@dataclass(frozen=True)
class Connection:
    """How MXCuBE reaches py-ISPyB and who is logged in."""

    rest_root: str  # e.g. http://127.0.0.1:8000/ispyb/api/v1/ (a trailing / is added)
    beamline: str
    login: str = ""  # MXCuBE sends "" under its default loginTranslate: the token names the user
    token: str = ""  # the OIDC access token (py-ISPyB's keycloak plugin)
    # Without a token: py-ISPyB's dummy plugin with login and password, as mxcubecore's
    # PyISPyBClient logs in, for an ISPyB that has no OIDC provider to validate tokens.
    password: str = ""
    timeout: float = 10.0


@dataclass(frozen=True)
class Mount:
    """A sample the robot takes from a puck (``mount_sample`` in mxcubecore's queue)."""

    session_id: int
    puck_slot: int  # the puck's slot in the sample changer (MXCuBE's location[0])
    position: int  # the sample's position in the puck (location[1])
    sample_id: int | None = None
    barcode: str | None = None
    start: str = ""  # MXCUBE_TIME
    end: str = ""
    loaded: bool = True


@dataclass(frozen=True)
class Collection:
    """One rotation sweep as MXCuBE's queue and collect object describe it."""

    session_id: int
    sample_id: int
    sample_name: str
    acronym: str
    directory: str  # raw data directory, with a trailing /
    prefix: str
    template: str  # file name template; %d-style frame number for one file per image
    run_number: int = 1
    suffix: str = "cbf"
    archive_directory: str = ""
    process_directory: str = ""
    puck_slot: int | None = None
    position: int | None = None
    experiment_type: str = "OSC"
    space_group: str = ""
    cell: str = ""
    osc_start: float = 0.0
    osc_range: float = 0.1
    offset: float = 0.0
    images: int = 1800
    first_image: int = 1
    passes: int = 1
    exposure_time: float = 0.01
    kappa: float | None = None
    phi: float | None = None
    wavelength: float = 0.976
    resolution: float = 1.6
    resolution_at_corner: float | None = None
    detector_distance: float = 200.0
    transmission: float = 100.0
    flux: float = 1.0e12
    beam_x: float = 155.0
    beam_y: float = 165.0
    beam_size_x: float = 0.05
    beam_size_y: float = 0.02
    beam_shape: str = "ellipse"
    synchrotron_mode: str = "Uniform"
    start: str = ""  # MXCUBE_TIME; the collect object stamps it when empty
    status: str = "Data collection successful"
    snapshots: list[str] = field(default_factory=list)
    centring_position: str | None = None
    comments: str = ""
    machine_current: float = 400.0
    cryo_temperature: float = 100.0
    # What AbstractCollect.update_data_collection_in_lims reads from the beamline at the end.
    slit_gap_horizontal: float | None = None
    slit_gap_vertical: float | None = None
    undulator_gaps: list[float] = field(default_factory=list)  # undulatorGap1, 2, 3
    total_absorbed_dose: float | None = None


@dataclass(frozen=True)
class EnergyScan:
    session_id: int
    sample_id: int | None
    element: str
    edge: str
    start_energy: float
    end_energy: float
    edge_energy: float
    peak_energy: float
    inflection_energy: float
    remote_energy: float
    peak_f_prime: float = -8.0
    peak_f_double_prime: float = 5.0
    inflection_f_prime: float = -10.0
    inflection_f_double_prime: float = 3.0
    exposure_time: float = 0.1
    transmission: float = 10.0
    scan_file: str = ""
    chooch_image: str = ""
    start: str = ""
    end: str = ""
    detector: str = "fluorescence detector"


@dataclass(frozen=True)
class XrfSpectrum:
    session_id: int
    sample_id: int | None
    energy: float
    exposure_time: float
    transmission: float
    flux: float = 1.0e11
    beam_size_x: float = 0.05
    beam_size_y: float = 0.02
    filename: str = ""
    scan_file: str = ""
    start: str = ""
    end: str = ""


@dataclass(frozen=True)
class BeamlineConfig:
    """MXCuBE's ``bl_config`` (its snake_case keys), and the detector it names."""

    synchrotron_name: str
    detector_manufacturer: str
    detector_model: str
    detector_type: str = ""
    detector_binning_mode: str = ""
    undulators: list[str] = field(default_factory=list)
    focusing_optic: str = ""
    monochromator_type: str = ""
    beam_divergence_horizontal: float | None = None
    beam_divergence_vertical: float | None = None
    polarisation: float | None = None
    minimum_exposure_time: float | None = None
    maximum_phi_speed: float | None = None
    minimum_phi_oscillation: float | None = None

    def as_mxcube(self) -> dict[str, Any]:
        config = asdict(self)
        config["undulators"] = [{"type": kind} for kind in self.undulators]
        return config


def build(kind: type[T], values: dict[str, Any]) -> T:
    """A parameter object from JSON, naming an unknown key instead of a TypeError."""
    known = {f.name for f in fields(kind)}  # type: ignore[arg-type]
    unknown = sorted(set(values) - known)
    if unknown:
        raise ValueError(f"{kind.__name__}: unknown parameter(s) {', '.join(unknown)}")
    return kind(**values)
