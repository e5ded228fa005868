"""Seeded random streams, split by purpose and year, for common-random-number comparisons.

Two kinds of draw exist:

* `Streams.generator(purpose, year)`: a numpy Generator for draws that are not tied to a
  single agent (building the city, placing schools). Its seed is
  `SeedSequence([root_seed, crc32(purpose), year + 1])` (0 in place of year + 1 for
  streams without a year), so a stream never depends on how
  many numbers another stream consumed.
* `Streams.uniform(purpose, year, uids)` / `normal(...)`: one number per agent, a pure
  function of (root seed, purpose, year, agent id). It is counter-based (SplitMix64
  mixing of the id with a stream key), so an agent's number does not change when other
  agents join, leave or are filtered out. This is what makes a family's lottery number
  or a teacher's retirement draw the same under two policies.
"""

from __future__ import annotations

import zlib

import numpy as np
from scipy.special import ndtri

_GOLDEN_GAMMA = np.uint64(0x9E3779B97F4A7C15)
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)
_TWO_POW_MINUS_53 = 1.0 / (1 << 53)


def purpose_code(purpose: str) -> int:
    """A stable 32-bit code for a purpose name (crc32: identical across runs and machines)."""
    return zlib.crc32(purpose.encode("utf-8"))


def _splitmix64(values: np.ndarray) -> np.ndarray:
    """The SplitMix64 finaliser applied element-wise to uint64 values."""
    z = values.copy()
    z ^= z >> np.uint64(30)
    z *= _MIX1
    z ^= z >> np.uint64(27)
    z *= _MIX2
    z ^= z >> np.uint64(31)
    return z


class Streams:
    """All randomness of one run, derived from one root seed."""

    def __init__(self, seed: int):
        if seed < 0:
            raise ValueError("seed must be a non-negative integer")
        self.seed = int(seed)

    def _sequence(self, purpose: str, year: int | None) -> np.random.SeedSequence:
        entropy = [self.seed, purpose_code(purpose), 0 if year is None else int(year) + 1]
        return np.random.SeedSequence(entropy)

    def generator(self, purpose: str, year: int | None = None) -> np.random.Generator:
        """An independent Generator for `purpose` (and `year`, for yearly streams)."""
        return np.random.Generator(np.random.PCG64(self._sequence(purpose, year)))

    def _key(self, purpose: str, year: int | None) -> np.uint64:
        return self._sequence(purpose, year).generate_state(1, dtype=np.uint64)[0]

    def uniform(self, purpose: str, year: int | None, uids: np.ndarray) -> np.ndarray:
        """One U(0,1) number per agent id, independent of which other agents are drawn."""
        ids = np.asarray(uids, dtype=np.uint64)
        with np.errstate(over="ignore"):
            counters = ids * _GOLDEN_GAMMA + self._key(purpose, year)
            bits = _splitmix64(counters)
        return ((bits >> np.uint64(11)).astype(np.float64) + 0.5) * _TWO_POW_MINUS_53

    def normal(self, purpose: str, year: int | None, uids: np.ndarray) -> np.ndarray:
        """One standard normal number per agent id (inverse CDF of `uniform`)."""
        return ndtri(self.uniform(purpose, year, uids))
