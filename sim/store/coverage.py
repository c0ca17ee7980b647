"""How many of the runs a folder's spec asks for are stored, and what is damaged: what
``sim compare``, ``sim plot`` and ``sim report`` say before they use a folder."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Coverage:
    """Runs stored in a results folder against the runs its spec asks for."""

    folder: Path
    kind: str  # "batch" or "run"
    expected: int  # runs the folder's spec asks for
    stored: int  # runs whose results are stored and readable
    failed: int  # runs that raised (recorded, no result)
    command: str  # what computes the missing runs
    damaged: list[str] = field(default_factory=list)  # damaged parts and manifest lines
    orphans: int = 0  # part files the manifest does not list

    @property
    def complete(self) -> bool:
        return self.stored >= self.expected and not self.damaged and not self.orphans

    def line(self) -> str:
        """One line: how many runs are used out of how many asked for."""
        return (f"{self.folder}: using {self.stored:,} of the {self.expected:,} runs its "
                f"spec asks for")

    def warnings(self) -> list[str]:
        """Lines for a folder that is incomplete (damaged parts are warned on opening)."""
        out = []
        missing = self.expected - self.stored
        if missing > 0:
            failed = f", {self.failed:,} of them failed" if self.failed else ""
            out.append(f"{self.folder}: incomplete: only {self.stored:,} of the "
                       f"{self.expected:,} runs its spec asks for are stored ({missing:,} "
                       f"missing{failed}); the results below use the {self.stored:,} stored "
                       f"runs; `{self.command}` computes the missing ones")
        if self.orphans:
            out.append(f"{self.folder}: {self.orphans:,} part file(s) are not listed in "
                       f"manifest.jsonl (a crash, or a damaged or cut manifest); their runs "
                       f"are left out; `{self.command}` recomputes them")
        return out

    def no_runs(self) -> str:
        return f"no runs stored in {self.folder}; run `{self.command}`"


def rerun_command(folder: Path, info: dict) -> str:
    """The command that completes a folder."""
    if info.get("kind") == "run":
        return f"sim run {info.get('scenario_file') or 'SCENARIO'} --out {folder} --force"
    return f"sim batch {info.get('spec') or 'SPEC'} --out {folder}"


def expected_runs(info: dict) -> int:
    """Runs the folder's spec asks for: replications x policies of every variant."""
    reps = int(info.get("replications", 0))
    return reps * sum(len(v.get("policies", [])) for v in info.get("variants", []))
