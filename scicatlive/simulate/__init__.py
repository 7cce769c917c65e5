"""``scicatlive simulate``: a beamline's day through mxcubecore's own py-ISPyB adapter.

    from scicatlive.simulate import SimulationOptions, parse_duration, parse_rate, simulate

    options = SimulationOptions(beamline="BioMAX", rate_per_minute=parse_rate("2/min"),
                                duration_seconds=parse_duration("30m"))
    report = simulate_target(stack.target, options)   # or simulate(ispyb_url, password, options)

See :mod:`.day` for what a day holds, :mod:`.values` for where its values come from and
:mod:`.driver` for where mxcubecore runs.
"""

from scicatlive.simulate.day import Collected, SimulationReport, simulate, simulate_target
from scicatlive.simulate.options import SimulationOptions, parse_duration, parse_rate

__all__ = ["Collected", "SimulationOptions", "SimulationReport", "parse_duration", "parse_rate", "simulate",
           "simulate_target"]
