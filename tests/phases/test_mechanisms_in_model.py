"""The mechanism menu and admission by achievement inside the model (demo city, one
seed, each against the same city under another rule or mechanism)."""

from __future__ import annotations

import numpy as np
import pytest

from edusim.model import EduModel

SEED = 16


def _metric(model: EduModel, name: str) -> np.ndarray:
    metrics = model.tables()["metrics"]
    return metrics[metrics.metric == name]["value"].dropna().to_numpy()


@pytest.fixture(scope="module")
def runs(demo_path) -> dict[str, EduModel]:
    choice = {"enrollment.rule": "choice", "enrollment.misreport_sample": 20}
    arms = {
        "catchment": {},
        "da": choice,
        "boston": {**choice, "enrollment.mechanism": "immediate_acceptance"},
        "boston_strategic": {
            **choice,
            "enrollment.mechanism": "immediate_acceptance",
            "enrollment.strategy": "cutoffs",
        },
        "ttc": {**choice, "enrollment.mechanism": "top_trading_cycles"},
        "achievement": {
            "enrollment.by_area": [{"rule": "achievement", "stages": ["junior"]}],
            "enrollment.catchment_priority": False,
        },
    }
    return {
        name: EduModel(demo_path, seed=SEED, years=4, overrides=overrides).run()
        for name, overrides in arms.items()
    }


def test_deferred_acceptance_gives_no_gain_from_reordering(runs):
    assert (_metric(runs["da"], "misreport_gain_share") == 0).all()
    assert (_metric(runs["da"], "blocking_pair_share") == 0).all()  # recorded, by theorem
    assert _metric(runs["catchment"], "blocking_pair_share").size == 0  # NaN: no mechanism


def test_boston_leaves_justified_envy_and_rewards_misreporting(runs):
    assert _metric(runs["boston"], "blocking_pair_share").mean() > 0.02
    assert _metric(runs["boston"], "misreport_gain_share").mean() > 0.05


def test_strategic_lists_under_boston_cut_justified_envy(runs):
    sincere = _metric(runs["boston"], "blocking_pair_share")
    strategic = _metric(runs["boston_strategic"], "blocking_pair_share")
    assert strategic.mean() < sincere.mean()


def test_top_trading_cycles_gives_no_gain_from_reordering(runs):
    assert (_metric(runs["ttc"], "misreport_gain_share") == 0).all()


def test_junior_admission_by_achievement_sorts_pupils_by_achievement(runs):
    by_score = _metric(runs["achievement"], "achievement_segregation")[-1]
    by_address = _metric(runs["catchment"], "achievement_segregation")[-1]
    assert by_score > by_address + 0.03
    # grade 7 of the most reputed public junior school is stronger when it admits by score
    assert _top_school_lead(runs["achievement"]) > _top_school_lead(runs["catchment"]) + 0.2


def _top_school_lead(model: EduModel) -> float:
    """Mean achievement of grade 7 at the most reputed public junior school minus the
    mean of all public grade-7 pupils."""
    families, table = model.families, model.school_table
    junior = np.flatnonzero((table.stage == 1) & ~table.private)
    top = junior[np.argmax(table.reputation[junior])]
    grade7 = (families.grade == 7) & ~table.private[families.school]
    return float(
        families.achievement[grade7 & (families.school == top)].mean()
        - families.achievement[grade7].mean()
    )
