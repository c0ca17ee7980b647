"""Located input errors (defined in :mod:`sim.errors`; kept here for ``sim.scenario``)."""

from sim.errors import Problem, ScenarioError

__all__ = ["Problem", "ScenarioError"]
