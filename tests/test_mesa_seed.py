"""The run's root seed from Mesa's ways of seeding a model (mesa_adapter.root_seed):
the scenario's seed, an integer within what the tables store, None for a fresh one, or a
draw from `rng`; never both `seed` and `rng`."""

from __future__ import annotations

import numpy as np
import pytest

from edusim.mesa_adapter import SCENARIO_SEED, fresh_seed, root_seed
from edusim.scenario.schema import MAX_SEED


def test_the_scenario_seed_by_default():
    assert root_seed(17) == 17
    assert root_seed(17, SCENARIO_SEED) == 17


@pytest.mark.parametrize("seed", [0, 1, MAX_SEED, np.int64(5), np.uint32(9)])
def test_every_integer_the_tables_store_is_a_seed(seed):
    chosen = root_seed(17, seed)
    assert chosen == int(seed)
    assert type(chosen) is int


@pytest.mark.parametrize("seed", [-1, MAX_SEED + 1, True, 1.5, "7"])
def test_other_seeds_are_refused_with_what_is_expected(seed):
    with pytest.raises(ValueError, match=r"seed must be an integer") as refused:
        root_seed(17, seed)
    assert repr(seed) in str(refused.value)


def test_fresh_seeds_cover_the_whole_range_the_tables_store():
    seeds = [fresh_seed() for _ in range(200)]
    assert all(type(s) is int and 0 <= s <= MAX_SEED for s in seeds)
    assert max(seeds) >= 2**62  # the top bits are used (failure chance about 0.75^200)
    assert len(set(seeds)) == len(seeds)
    assert 0 <= root_seed(17, None) <= MAX_SEED


def test_rng_gives_the_seed_an_integer_or_a_draw():
    assert root_seed(17, rng=12345) == 12345
    assert root_seed(17, rng=np.int64(8)) == 8
    first = root_seed(17, rng=np.random.default_rng(3))
    assert first == root_seed(17, rng=np.random.default_rng(3))  # the same state, the same seed
    assert first == root_seed(17, rng=np.random.SeedSequence(3))  # as numpy seeds a Generator
    drawn = {root_seed(17, rng=np.random.default_rng(k)) for k in range(20)}
    assert len(drawn) == 20
    assert all(0 <= s <= MAX_SEED for s in drawn)
    generator = np.random.default_rng(4)
    assert root_seed(17, rng=generator) != root_seed(17, rng=generator)  # the caller's, advanced


@pytest.mark.parametrize("seed", [5, None, "other"])
def test_seed_and_rng_together_are_refused(seed):
    with pytest.raises(ValueError, match="pass either seed or rng, not both"):
        root_seed(17, seed, rng=3)
