"""The compiled yearly kernels change no number: the demo city run with them and with the
pure-Python (numpy) reference implementations gives byte-identical tables.

Each kernel keeps its reference next to it (`*_reference`); unit tests compare the two on
random inputs (tests/policy/test_enrollment.py, tests/test_randomness.py,
tests/processes/test_aggregate.py, tests/test_grouped.py,
tests/phases/test_travel.py, tests/processes/test_housing_rounds.py,
tests/processes/test_family_choice.py, tests/test_metric_passes.py). This test swaps every reference in for its kernel and
runs whole years, under catchment and under choice, so any difference a kernel makes
anywhere in the year shows in the stored tables.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator

import numpy as np
import pandas as pd
import pytest

from edusim import grouped, randomness
from edusim.metrics import passes
from edusim.phases import private_intake, travel
from edusim.policy import enrollment
from edusim.processes import aggregate, family_choice, housing, housing_rounds, learning
from edusim.results import run_scenario

YEARS = 3


def _uniform_reference(self, purpose, year, uids):
    return randomness.uniform_reference(uids, self._key(purpose, year))


def _place_reference(lists, priority, free, rows=None):
    if rows is not None:
        lists = lists[rows]
    return enrollment.place_entrants_reference(lists, priority, free)


def _swap_everywhere(monkeypatch: pytest.MonkeyPatch, original, replacement) -> None:
    """Replace `original` by `replacement` in every edusim module that holds it by name."""
    for name, module in list(sys.modules.items()):
        if name == "edusim" or name.startswith("edusim."):
            for attribute, value in list(vars(module).items()):
                if value is original:
                    monkeypatch.setattr(module, attribute, replacement)


@pytest.fixture
def reference_paths(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The reference implementations wherever the model calls a kernel."""
    monkeypatch.setattr(randomness.Streams, "uniform", _uniform_reference)
    _swap_everywhere(monkeypatch, enrollment.place_entrants, _place_reference)
    _swap_everywhere(monkeypatch, grouped.rank_within, grouped.rank_within_reference)
    _swap_everywhere(monkeypatch, travel.km_to_schools, travel.km_to_schools_reference)
    _swap_everywhere(
        monkeypatch, private_intake.private_lists, private_intake.private_lists_reference
    )
    _swap_everywhere(
        monkeypatch, learning.school_year_achievement, learning.school_year_achievement_reference
    )
    _swap_everywhere(
        monkeypatch,
        private_intake.first_private_choices,
        private_intake.first_private_choices_reference,
    )
    _swap_everywhere(
        monkeypatch, family_choice.address_values, family_choice.address_values_reference
    )
    _swap_everywhere(
        monkeypatch, housing_rounds.market_entries, housing_rounds.market_entries_reference
    )
    _swap_everywhere(monkeypatch, housing.address_entries, housing.address_entries_reference)
    _swap_everywhere(
        monkeypatch, housing_rounds.ascend_prices, housing_rounds.ascend_prices_reference
    )
    for name, reference in aggregate.REFERENCES.items():
        _swap_everywhere(monkeypatch, getattr(aggregate, name), reference)
    for name, reference in passes.REFERENCES.items():
        _swap_everywhere(monkeypatch, getattr(passes, name), reference)
    yield


def _tables(demo_path, overrides) -> dict[str, pd.DataFrame]:
    return run_scenario(demo_path, 11, years=YEARS, overrides=overrides).tables


OVERRIDES = {
    "catchment": {},
    "choice": {"enrollment.rule": "choice"},
}


@pytest.fixture(scope="module")
def compiled_tables(demo_path) -> dict[str, dict[str, pd.DataFrame]]:
    return {name: _tables(demo_path, overrides) for name, overrides in OVERRIDES.items()}


@pytest.mark.parametrize("rule", sorted(OVERRIDES))
def test_demo_tables_are_identical_with_the_reference_paths(
    rule, demo_path, compiled_tables, reference_paths
):
    reference = _tables(demo_path, OVERRIDES[rule])
    compiled = compiled_tables[rule]
    assert sorted(reference) == sorted(compiled)
    for name, frame in compiled.items():
        other = reference[name]
        assert list(frame.columns) == list(other.columns), name
        assert len(frame) == len(other), name
        for column in frame.columns:
            left, right = frame[column].to_numpy(), other[column].to_numpy()
            if left.dtype.kind == "f":
                # bit for bit (NaN where NaN): the kernels must not even reorder a sum
                assert np.array_equal(left.view(np.int64), right.view(np.int64)), (name, column)
            else:
                assert np.array_equal(left, right), (name, column)
