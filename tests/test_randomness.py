"""Seeded streams: split by purpose and year, and per-agent draws keyed by stable ids (CRN)."""

from __future__ import annotations

import os
import subprocess
import sys
import zlib

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats
from scipy.special import ndtr

from edusim.randomness import Streams, _splitmix64, purpose_code

uid_sets = st.lists(st.integers(0, 2**62), min_size=1, max_size=60, unique=True)


def test_purpose_code_is_crc32():
    # the CRC-32 check value of the ASCII digits "123456789" (the published reference)
    assert purpose_code("123456789") == 0xCBF43926
    assert purpose_code("families.address") != purpose_code("families.income")


def test_purpose_codes_and_draws_are_the_same_in_another_process():
    """A purpose's code must not depend on the process (Python's `hash` of a string is
    salted per process): a fresh interpreter with another hash seed draws the same."""
    script = (
        "import numpy as np; from edusim.randomness import Streams, purpose_code;"
        "print(purpose_code('families.address'),"
        " Streams(7).uniform('families.move', 2020, np.arange(3)).tolist())"
    )
    here = f"{purpose_code('families.address')} {Streams(7).uniform('families.move', 2020, np.arange(3)).tolist()}"
    for hash_seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": hash_seed}
        out = subprocess.run(
            [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True
        )
        assert out.stdout.strip() == here


def test_splitmix64_matches_the_reference_first_output():
    # SplitMix64 seeded with 0 first returns 0xE220A8397B1DCDAF (Steele, Lea & Flood 2014)
    state = np.array([0x9E3779B97F4A7C15], dtype=np.uint64)
    assert int(_splitmix64(state)[0]) == 0xE220A8397B1DCDAF
    assert int(state[0]) == 0x9E3779B97F4A7C15  # the input is not modified


def test_negative_seed_is_refused():
    with pytest.raises(ValueError):
        Streams(-1)


def test_generator_is_reproducible_and_split_by_seed_purpose_and_year():
    def draws(seed, purpose, year):
        return Streams(seed).generator(purpose, year).random(8)

    reference = draws(3, "world.sites", 2020)
    np.testing.assert_array_equal(reference, draws(3, "world.sites", 2020))
    for other in (
        draws(4, "world.sites", 2020),
        draws(3, "world.prestige", 2020),
        draws(3, "world.sites", 2021),
        draws(3, "world.sites", None),
    ):
        assert not np.array_equal(reference, other)


def test_a_stream_does_not_depend_on_what_other_streams_consumed():
    streams = Streams(9)
    alone = streams.generator("teachers.exit", 2019).random(5)
    busy = Streams(9)
    busy.generator("families.move", 2019).random(10_000)
    busy.uniform("families.move", 2019, np.arange(5000))
    np.testing.assert_array_equal(alone, busy.generator("teachers.exit", 2019).random(5))


def test_uniform_lies_strictly_inside_the_unit_interval_and_looks_uniform():
    values = Streams(1).uniform("test", 2020, np.arange(100_000))
    assert values.shape == (100_000,)
    assert values.dtype == np.float64
    assert (values > 0).all() and (values < 1).all()
    assert stats.kstest(values, "uniform").pvalue > 1e-4
    # consecutive ids are not correlated
    assert abs(np.corrcoef(values[:-1], values[1:])[0, 1]) < 0.02


def test_normal_is_the_inverse_cdf_of_uniform_and_standard():
    streams = Streams(2)
    uids = np.arange(50_000)
    normal = streams.normal("test", 2020, uids)
    np.testing.assert_allclose(ndtr(normal), streams.uniform("test", 2020, uids), rtol=1e-9)
    assert abs(normal.mean()) < 0.03
    assert abs(normal.std() - 1.0) < 0.03
    assert np.isfinite(normal).all()


def test_uniform_differs_by_seed_purpose_and_year():
    uids = np.arange(100)
    reference = Streams(5).uniform("enrollment.lottery", 2020, uids)
    assert not np.array_equal(reference, Streams(6).uniform("enrollment.lottery", 2020, uids))
    assert not np.array_equal(reference, Streams(5).uniform("families.move", 2020, uids))
    assert not np.array_equal(reference, Streams(5).uniform("enrollment.lottery", 2021, uids))
    assert not np.array_equal(reference, Streams(5).uniform("enrollment.lottery", None, uids))


def test_adding_one_family_changes_no_other_familys_draw():
    streams = Streams(17)
    uids = np.arange(1000)
    with_one_more = np.append(uids, 1000)
    for draw in (streams.uniform, streams.normal):
        before = draw("families.income", 2019, uids)
        after = draw("families.income", 2019, with_one_more)
        np.testing.assert_array_equal(before, after[:-1])


@settings(max_examples=50, deadline=None)
@given(uids=uid_sets, extra=st.integers(0, 2**62), seed=st.integers(0, 2**32))
def test_an_agents_draw_depends_only_on_its_own_id(uids, extra, seed):
    streams = Streams(seed)
    uids = np.array(uids, dtype=np.int64)
    alone = {int(u): v for u, v in zip(uids, streams.uniform("p", 2020, uids), strict=True)}
    # another agent joins (at any position) and the order is shuffled
    crowd = np.unique(np.append(uids, extra))[::-1]
    for uid, value in zip(crowd, streams.uniform("p", 2020, crowd), strict=True):
        if int(uid) in alone:
            assert value == alone[int(uid)]
    # a subset (agents filtered out) keeps the same numbers too
    subset = uids[::2]
    np.testing.assert_array_equal(
        streams.normal("q", None, subset), streams.normal("q", None, uids)[::2]
    )


MODEL_PURPOSES = (
    "enrollment.dwelling",
    "enrollment.lottery",
    "enrollment.misreport_sample",
    "enrollment.private_lottery",
    "enrollment.school_lottery",
    "enrollment.test",
    "expectations.lottery",
    "expectations.school_lottery",
    "expectations.test",
    "families.address",
    "families.hukou",
    "families.income",
    "families.move",
    "families.moving_anyway",
    "families.private_option",
    "families.public_access",
    "families.residence",
    "families.sibling",
    "families.specialty",
    "families.specialty_kind",
    "families.taste",
    "families.tenure",
    "learning.entry",
    "learning.history",
    "learning.shock",
    "leaders.age",
    "leaders.female",
    "leaders.quality",
    "leaders.tenure",
    "rotation.district_quota",
    "rotation.taste",
    "schools.specialty",
    "schools.specialty_kind",
    "teachers.age",
    "teachers.exit",
    "teachers.female",
    "teachers.innate",
    "teachers.qualified",
    "teachers.rehire",
    "teachers.specialist",
    "teachers.tenure",
    "teachers.transfer_apply",
    "teachers.transfer_observed",
)
"""The per-agent purposes the model draws from (grep `streams.uniform`/`normal` in src/)."""


def test_every_purpose_gives_its_own_uncorrelated_per_agent_stream():
    """Distinct purposes, even in one namespace (`families.move` beside `families.income`),
    must give distinct and uncorrelated numbers to the same agent: a stream keyed by the
    namespace alone, or by the id alone, would give the same family the same luck in its
    income and its decision to move."""
    uids = np.arange(20_000)
    streams = Streams(3)
    draws = np.array([streams.uniform(purpose, 2020, uids) for purpose in MODEL_PURPOSES])
    correlation = np.corrcoef(draws)
    off_diagonal = correlation[~np.eye(len(MODEL_PURPOSES), dtype=bool)]
    # independent streams: each r ~ N(0, 1/n); 5 SD = 0.035 for n = 20,000
    assert np.abs(off_diagonal).max() < 5 / np.sqrt(uids.size)
    assert len({draw[:4].tobytes() for draw in draws}) == len(MODEL_PURPOSES)
    # and the same purpose in another year is a fresh stream too
    next_year = streams.uniform("families.move", 2021, uids)
    assert abs(np.corrcoef(draws[MODEL_PURPOSES.index("families.move")], next_year)[0, 1]) < 0.035


def test_the_purposes_listed_are_those_the_model_draws_from():
    """The list above covers every per-agent purpose in the source (a new purpose is
    checked as soon as it is added)."""
    import re
    from pathlib import Path

    import edusim

    source = "\n".join(
        path.read_text(encoding="utf-8") for path in Path(edusim.__file__).parent.rglob("*.py")
    )
    used = set(re.findall(r"\.(?:uniform|normal)\(\s*\"([a-z_.]+)\"", source))
    assert used and used <= set(MODEL_PURPOSES), sorted(used - set(MODEL_PURPOSES))


def _reference_uniform(seed: int, purpose: str, year: int | None, uid: int) -> float:
    """The documented per-agent draw, written out with Python integers (mod 2**64):
    key = the first 64-bit word of SeedSequence([seed, crc32(purpose), year + 1 or 0]);
    u = (SplitMix64 finaliser of (uid x golden gamma + key), top 53 bits, + 0.5) / 2**53."""
    mask = (1 << 64) - 1
    entropy = [seed, zlib.crc32(purpose.encode("utf-8")), 0 if year is None else year + 1]
    key = int(np.random.SeedSequence(entropy).generate_state(1, dtype=np.uint64)[0])
    z = (uid * 0x9E3779B97F4A7C15 + key) & mask
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & mask
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & mask
    z ^= z >> 31
    return ((z >> 11) + 0.5) / 2**53


def test_streams_follow_the_documented_formulas():
    """Stored runs stay reproducible only if the streams are exactly the documented ones
    (docs/architecture.md, "Randomness"): checked against an independent write-up."""
    uids = np.array([0, 1, 2, 12345, 2**40 + 7])
    for seed, purpose, year in ((3, "families.move", 2020), (0, "learning.entry", None)):
        drawn = Streams(seed).uniform(purpose, year, uids)
        expected = [_reference_uniform(seed, purpose, year, int(uid)) for uid in uids]
        assert drawn.tolist() == expected
    entropy = [3, zlib.crc32(b"world.sites"), 2021]
    reference = np.random.Generator(np.random.PCG64(np.random.SeedSequence(entropy)))
    assert (
        Streams(3).generator("world.sites", 2020).random(4).tolist() == reference.random(4).tolist()
    )


def test_different_agents_get_different_numbers():
    values = Streams(4).uniform("enrollment.lottery", 2021, np.arange(200_000))
    assert np.unique(values).size == values.size  # no collisions among 200,000 ids
