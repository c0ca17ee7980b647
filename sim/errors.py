"""Errors the tool reports to users as a message (exit code 2), not a traceback."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One problem in an input file, located as ``file:line: path: message``."""

    file: str
    line: int | None
    path: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.path}: {self.message}" if self.path else f"{where}: {self.message}"


class ScenarioError(ValueError):
    """A scenario (or batch spec) is invalid. ``problems`` lists every problem found."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        n = len(self.problems)
        head = f"{n} problem{'s' if n != 1 else ''} in the input:" if n > 1 else ""
        body = "\n".join(str(p) for p in self.problems)
        super().__init__(f"{head}\n{body}" if head else body)


class OutputError(RuntimeError):
    """The output folder cannot be used (exists, not writable, disk full, in use)."""


__all__ = ["OutputError", "Problem", "ScenarioError"]
