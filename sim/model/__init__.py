"""The SimPy world (cohort counts). No file I/O, no pandas, no matplotlib in this package."""

from sim.model.funding import Backlog, CapacityOrder, Treasury
from sim.model.plan import Plan, compile_plan
from sim.model.reasons import BLOCK_REASONS, BlockReason
from sim.model.records import RawRun, Trip
from sim.model.world import World, run_world

__all__ = [
    "BLOCK_REASONS", "Backlog", "BlockReason", "CapacityOrder", "Plan",
    "RawRun", "Treasury", "Trip", "World", "compile_plan", "run_world",
]
