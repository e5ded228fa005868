"""What the intake records of each entering family's satisfaction, in a running model
(phases/satisfaction.py), and satisfaction in the evaluation score."""

from __future__ import annotations

import numpy as np
import pytest

from edusim.model import EduModel
from edusim.processes.satisfaction import satisfaction_index


@pytest.fixture(scope="module")
def demo_two_years(demo_path) -> EduModel:
    return EduModel(demo_path, seed=5, years=2).run()


def test_every_public_entrant_has_a_record_and_the_index_is_its_weighted_components(
    demo_two_years,
):
    model = demo_two_years
    for stats in model.intake.values():
        record = stats["satisfaction"]
        assert record["index"].size == stats["entrants"] > 0
        components = record["components"]
        assert components.shape == (stats["entrants"], 5)
        assert ((components >= 0) & (components <= 1)).all()
        assert record["index"] == pytest.approx(satisfaction_index(components))
        # the access score: half for the first choice, half for no worse than the catchment
        assert set(np.unique(components[:, 3])) <= {0.0, 0.5, 1.0}
    metrics = model.latest_metrics
    assert 0 < metrics["satisfaction_index"] < 100
    assert 0 <= metrics["satisfied_share"] <= 1
    assert np.isfinite(metrics["sense_of_gain"])


def test_the_baseline_is_the_intake_before_the_first_school_year(demo_two_years):
    """The burn-in's last round gives every catchment with entrants its mean index; it is
    not replaced by later intakes."""
    baseline = demo_two_years.satisfaction_baseline
    assert set(baseline) == {0, 1}
    for means in baseline.values():
        known = means[~np.isnan(means)]
        assert known.size > 0 and ((known >= 0) & (known <= 100)).all()


def test_satisfaction_moves_the_evaluation_score_only_when_weighted(demo_path):
    def scores(**overrides):
        model = EduModel(demo_path, seed=5, years=1, overrides=overrides).run()
        return model.school_table.evaluation_score.copy(), model.latest_metrics

    plain, plain_metrics = scores()
    weighted, weighted_metrics = scores(**{"evaluation.weight_satisfaction": 1.0})
    assert not np.allclose(plain, weighted)
    # the year's intake came before the scores, so what families said is the same
    assert weighted_metrics["satisfaction_index"] == plain_metrics["satisfaction_index"]


def test_the_schools_table_carries_each_schools_entrants_mean_index(demo_two_years):
    """The last year's `satisfaction` column is the mean index of the entrants placed at
    each school (NaN where none entered: the city as built, private schools)."""
    model = demo_two_years
    schools = model.tables()["schools"]
    last = schools[schools["year"] == schools["year"].max()].set_index("school")
    index = np.concatenate([s["satisfaction"]["index"] for s in model.intake.values()])
    school = np.concatenate([s["satisfaction"]["school"] for s in model.intake.values()])
    for row in np.unique(school)[:5]:
        assert last.loc[row, "satisfaction"] == pytest.approx(index[school == row].mean())
    assert last.loc[model.school_table.private, "satisfaction"].isna().all()
    first = schools[schools["year"] == schools["year"].min()]
    assert first["satisfaction"].isna().all()


def test_expectation_met_is_read_against_what_families_expected_before_the_intake(
    demo_path, monkeypatch
):
    """Each public entrant's first score is 0.5 + (reputation of its school - what its
    class expected of its catchment before this intake was learnt) / 2, clipped: the
    expectation table is taken before `_place` runs and the score recomputed from it."""
    from edusim.phases.intake import Intake
    from edusim.processes.satisfaction import half_scale

    original = Intake._place
    checked = []

    def place_and_check(self, year, stage, entrants):
        before = self.model.access_reputation[stage].copy()
        original(self, year, stage, entrants)
        model = self.model
        home = model.catchments.catchment_of(model.families.cell[entrants], stage)
        placed = model.families.school[entrants]
        expected = before[self._ladder_classes(entrants), home]
        want = half_scale(model.school_table.reputation[placed] - expected)
        got = model.intake[stage]["satisfaction"]["components"][:, 0]
        checked.append(float(np.abs(got - want).max()))

    monkeypatch.setattr(Intake, "_place", place_and_check)
    EduModel(demo_path, seed=5, years=1).run()
    assert len(checked) >= 2  # the burn-in's rounds and the year's two stages
    assert max(checked) < 1e-12


def test_the_intake_joins_both_stages_records_once_and_the_metrics_read_it(demo_two_years):
    """After a year the model holds the joined record, each stage's record a view of it;
    the metrics read that record, not a copy."""
    from edusim.metrics import satisfaction as satisfaction_metrics

    model = demo_two_years
    joined = model.satisfaction_entrants
    sizes = [model.intake[s]["satisfaction"]["index"].size for s in sorted(model.intake)]
    assert joined["index"].size == sum(sizes) > 0
    for stage in sorted(model.intake):
        assert np.shares_memory(model.intake[stage]["satisfaction"]["index"], joined["index"])
    assert satisfaction_metrics._entrants(model) is joined
