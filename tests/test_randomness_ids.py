"""The per-agent draws do not depend on how the ids are stored (dtype, shape), and a bad
seed is refused with a message that says what was expected. Found by mutation testing
(docs/testing.md): the int32 and multi-dimensional paths of `Streams.uniform` were never
exercised, so mutants that broke them survived."""

import numpy as np
import pytest

from edusim.randomness import Streams, uniform_reference


def test_ids_of_any_integer_dtype_give_the_same_numbers():
    streams = Streams(7)
    ids = np.array([0, 1, 5, 12, 40_000, 2**31 - 1], dtype=np.int64)
    expected = streams.uniform("families.move", 3, ids)
    for dtype in (np.int32, np.uint32, np.uint64, np.int16):
        small = ids[ids <= np.iinfo(dtype).max].astype(dtype)
        got = streams.uniform("families.move", 3, small)
        np.testing.assert_array_equal(got, expected[: small.size])
    np.testing.assert_array_equal(
        streams.normal("families.move", 3, ids.astype(np.int32)),
        streams.normal("families.move", 3, ids),
    )


@pytest.mark.parametrize("dtype", [np.int64, np.int32])
def test_a_grid_of_ids_gets_each_id_its_own_number_in_the_same_shape(dtype):
    streams = Streams(7)
    grid = np.arange(12, dtype=dtype).reshape(3, 4) * 3
    got = streams.uniform("teachers.retire", 2, grid)
    assert got.shape == (3, 4)
    np.testing.assert_array_equal(got.ravel(), streams.uniform("teachers.retire", 2, grid.ravel()))
    normal = streams.normal("teachers.retire", 2, grid)
    assert normal.shape == (3, 4)


def test_a_negative_seed_is_refused_with_a_message_naming_what_is_expected():
    with pytest.raises(ValueError, match=r"^seed must be a non-negative integer$"):
        Streams(-1)


def test_the_numpy_reference_gives_the_compiled_numbers():
    """`uniform_reference` is the definition the numba kernel compiles; the model-level
    comparison (tests/test_kernels_match_reference.py) runs whole demo years, so this
    checks the two directly on ids that cover the full 64-bit range."""
    streams = Streams(11)
    ids = np.array([0, 1, 2, 3, 1_000_003, 2**40 + 7, 2**62, 2**63 - 1], dtype=np.int64)
    key = streams._key("families.income", None)
    np.testing.assert_array_equal(
        uniform_reference(ids, key), streams.uniform("families.income", None, ids)
    )
