"""Calibration with honest uncertainty: ABC-SMC fit of a scenario's uncertain inputs to its
observations as reported, posterior predictive runs, out-of-sample scores and forecasts.

See docs/calibration.md. ``calibrate`` (:mod:`sim.calibration.run`) is the entry point.
"""

from sim.calibration.abc import Settings
from sim.calibration.run import Calibration, calibrate

__all__ = ["Calibration", "Settings", "calibrate"]
