"""Named random streams (common random numbers).

Every purpose has its own stream, e.g. ``escape:al_hol``, ``travel:road``, ``conflict``,
``stay:jeddah1``. A stream is ``Generator(PCG64(SeedSequence(root_seed,
spawn_key=(replication, stable_hash(name)))))``, so the same replication under two policies
sees the same world, and adding a stream never shifts another. This is the only place the
project creates random generators.
"""

from __future__ import annotations

import hashlib

import numpy as np

_BELOW_ONE = 1.0 - 2.0**-53


def stable_hash(name: str) -> int:
    """A 32-bit hash of ``name`` that is the same in every process and on every machine."""
    return int.from_bytes(hashlib.blake2b(name.encode("utf-8"), digest_size=4).digest(), "big")


def stream(root_seed: int, replication: int, name: str) -> np.random.Generator:
    """The generator for stream ``name`` of ``replication``."""
    seq = np.random.SeedSequence(root_seed, spawn_key=(replication, stable_hash(name)))
    return np.random.Generator(np.random.PCG64(seq))


class Streams:
    """Lazily created named streams of one replication."""

    def __init__(self, root_seed: int, replication: int):
        self.root_seed = int(root_seed)
        self.replication = int(replication)
        self._streams: dict[str, np.random.Generator] = {}

    def __getitem__(self, name: str) -> np.random.Generator:
        gen = self._streams.get(name)
        if gen is None:
            gen = self._streams[name] = stream(self.root_seed, self.replication, name)
        return gen

    def uniform(self, name: str, size: int | tuple[int, ...] | None = None):
        """Uniform draws in (0, 1) from stream ``name`` (never exactly 0 or 1, so every
        inverse CDF stays finite)."""
        gen = self[name]
        if size is None:
            return min(1.0 - gen.random(), _BELOW_ONE)
        return np.minimum(1.0 - gen.random(size), _BELOW_ONE)
