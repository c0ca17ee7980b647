"""Words the scenario format defines and the model uses as indexes: what happens to a group
(its disposition's action), security levels and conflict states."""

from __future__ import annotations

from enum import IntEnum


class Action(IntEnum):
    """What a disposition does with a group (the model's action index)."""

    stay = 0
    transfer = 1
    release = 2
    repatriate = 3


class SecurityLevel(IntEnum):
    """A category's security level (higher needs more escorts)."""

    low = 0
    medium = 1
    high = 2


class ConflictState(IntEnum):
    ceasefire = 0
    fighting = 1


ACTIONS: tuple[str, ...] = tuple(a.name for a in Action)
SECURITY_LEVELS: tuple[str, ...] = tuple(s.name for s in SecurityLevel)
CONFLICT_STATES: tuple[str, ...] = tuple(s.name for s in ConflictState)
