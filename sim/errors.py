"""Errors the tool reports to users as a message (exit code 2), not a traceback."""

from __future__ import annotations

from sim.scenario.errors import Problem, ScenarioError


class OutputError(RuntimeError):
    """The output folder cannot be used (exists, not writable, disk full, in use)."""


__all__ = ["OutputError", "Problem", "ScenarioError"]
