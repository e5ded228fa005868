"""tools/quartile_roles.py: each school's share of the quality-quartile gap, by hand."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from edusim.metrics.common import quartile_gap

_PATH = Path(__file__).resolve().parents[1] / "tools" / "quartile_roles.py"
_SPEC = importlib.util.spec_from_file_location("quartile_roles", _PATH)
quartile_roles = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(quartile_roles)


def _frame(quality, stage=None, role=None, rural=None) -> pd.DataFrame:
    n = len(quality)
    return pd.DataFrame(
        {
            "stage": np.zeros(n, dtype=int) if stage is None else stage,
            "quality": np.asarray(quality, dtype=float),
            "rural": np.zeros(n, dtype=bool) if rural is None else rural,
            "role": ["none"] * n if role is None else role,
            "open_public": np.ones(n, dtype=bool),
        }
    )


def test_weights_are_one_over_the_top_and_minus_one_over_the_bottom():
    # eight schools 0..7: quartiles at 1.75 and 5.25, top {6, 7}, bottom {0, 1}
    weights = quartile_roles.weights(np.arange(8.0))
    assert weights.tolist() == [-0.5, -0.5, 0, 0, 0, 0, 0.5, 0.5]


def test_contributions_add_up_to_the_gap_of_each_stage_weighted_by_its_schools():
    primary = np.array([0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.9])
    junior = np.array([0.0, 0.2, 0.4, 1.0])
    frame = _frame(np.r_[primary, junior], stage=np.r_[np.zeros(8, int), np.ones(4, int)])
    q = frame["quality"].to_numpy()
    parts = quartile_roles.contributions(frame, q, q)
    expected = (8 * quartile_gap(primary) + 4 * quartile_gap(junior)) / 12
    assert parts.sum() == pytest.approx(expected)
    # by hand: primary top {0.6, 0.9} minus bottom {0, 0.1} = 0.7; junior 1.0 - 0 = 1.0
    assert expected == pytest.approx((8 * 0.7 + 4 * 1.0) / 12)


def test_a_member_rising_from_the_bottom_to_the_top_carries_the_change():
    # counterfactual 0..7; in the reform the member (school 1) rises from 0.1 to 1.0: it
    # leaves the bottom (now {0, 2}) and tops the top (now {1, 7})
    base = np.array([0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7])
    reform_q = base.copy()
    reform_q[1] = 1.0
    role = ["none", "member", "none", "none", "none", "none", "none", "none"]
    out = quartile_roles.decompose(_frame(reform_q, role=role), _frame(base, role=role))
    assert out["gap_counterfactual"] == pytest.approx(0.65 - 0.05)
    assert out["gap_reform"] == pytest.approx(0.85 - 0.1)
    # the member: +0.5 * 1.0 now, -0.5 * 0.1 before
    assert out["effect:member_urban"] == pytest.approx(0.5 + 0.05)
    # the others: school 2 joins the bottom (-0.1), school 6 leaves the top (-0.3)
    assert out["effect:none_urban"] == pytest.approx(-0.1 - 0.3)
    total = out["effect:member_urban"] + out["effect:none_urban"]
    assert total == pytest.approx(out["gap_reform"] - out["gap_counterfactual"])
    assert out["top_reform:member_urban"] == 1.0 and out["bottom_cf:member_urban"] == 1.0
    assert out["top_mean_reform"] == pytest.approx(0.85)
    assert out["bottom_mean_cf"] == pytest.approx(0.05)
    # the reform's quality on the counterfactual's sets: top {6, 7}, bottom {0, 1}
    assert out["gap_reform_q_cf_ranks"] == pytest.approx(0.65 - 0.5)


def test_the_same_run_twice_has_no_effect_on_any_role():
    q = np.linspace(0, 1, 12)
    role = ["core"] * 3 + ["member"] * 4 + ["none"] * 5
    rural = np.array([False, True] * 6)
    frame = _frame(q, role=role, rural=rural)
    out = quartile_roles.decompose(frame, frame.copy())
    effects = [value for key, value in out.items() if key.startswith("effect:")]
    assert len(effects) == 6 and all(value == 0 for value in effects)
