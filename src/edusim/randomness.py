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
from numba import njit
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


_SHIFT_30, _SHIFT_27, _SHIFT_31, _SHIFT_11 = (np.uint64(n) for n in (30, 27, 31, 11))


@njit(cache=True)
def _uniform_of_ids(ids, key, out):  # pragma: no cover - compiled
    """`out[i]` = the uniform of `ids[i]` under `key`: SplitMix64 of `ids[i] * gamma + key`,
    its top 53 bits, centred in their interval. One pass, no temporaries: the same
    arithmetic as `_splitmix64` (uint64, wrapping) element by element, so the numbers are
    bit-identical to the numpy expression (`tests/test_randomness.py` compares them)."""
    for i in range(ids.size):
        z = ids[i] * _GOLDEN_GAMMA + key
        z ^= z >> _SHIFT_30
        z *= _MIX1
        z ^= z >> _SHIFT_27
        z *= _MIX2
        z ^= z >> _SHIFT_31
        out[i] = (np.float64(z >> _SHIFT_11) + 0.5) * _TWO_POW_MINUS_53


def uniform_reference(uids: np.ndarray, key: np.uint64) -> np.ndarray:
    """The uniforms of `uids` under `key` as whole-array numpy operations: the definition
    that `_uniform_of_ids` compiles (kept for the tests that compare the two)."""
    ids = np.asarray(uids, dtype=np.uint64)
    with np.errstate(over="ignore"):
        bits = _splitmix64(ids * _GOLDEN_GAMMA + key)
    return ((bits >> np.uint64(11)).astype(np.float64) + 0.5) * _TWO_POW_MINUS_53


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
        uids = np.asarray(uids)
        if uids.dtype == np.int64 or uids.dtype == np.uint64:
            ids = np.ascontiguousarray(uids).reshape(-1).view(np.uint64)  # same bits as astype
        else:
            ids = uids.astype(np.uint64).reshape(-1)
        out = np.empty(ids.size)
        _uniform_of_ids(ids, np.uint64(self._key(purpose, year)), out)
        return out.reshape(uids.shape)

    def normal(self, purpose: str, year: int | None, uids: np.ndarray) -> np.ndarray:
        """One standard normal number per agent id (inverse CDF of `uniform`)."""
        draws = self.uniform(purpose, year, uids)
        return ndtri(draws, out=draws)
