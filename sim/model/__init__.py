"""The SimPy world (cohort counts). No file I/O, no pandas, no matplotlib in this package."""

from sim.model.funding import Backlog, CapacityOrder, Treasury
from sim.model.plan import BLOCK_REASONS, COST_CATEGORIES, PERSONNEL_KINDS, Plan, compile_plan
from sim.model.world import RawRun, World, run_world

__all__ = [
    "BLOCK_REASONS", "COST_CATEGORIES", "PERSONNEL_KINDS", "Backlog", "CapacityOrder", "Plan",
    "RawRun", "Treasury", "World", "compile_plan", "run_world",
]
