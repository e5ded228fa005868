"""School groups inside the model: lifecycle, and each mechanism's direction against the
same city without the policy (same seed, so the same families and teachers). The patterns
groups should reproduce (gaps narrowing, the merger dip) are in tests/patterns/."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from edusim.agents.groups import MEMBER
from edusim.model import EduModel
from edusim.scenario.loader import ScenarioError, load_scenario

SEED = 5


def _rule(kind: str, **extra) -> dict:
    return {
        "name": "G",
        "kind": kind,
        "formed": "2018-09-01",
        "stage": "primary",
        "target_share": 0.6,
        **extra,
    }


def _run(demo_path, years: int, rules: list[dict], **overrides) -> EduModel:
    return EduModel(
        demo_path, seed=SEED, years=years, overrides={"groups.rules": rules, **overrides}
    ).run()


def test_brand_sharing_lifts_member_reputation_before_member_quality(demo_path):
    grouped = _run(demo_path, 1, [_rule("entrusted")])
    baseline = EduModel(demo_path, seed=SEED, years=1).run()
    members = np.unique(grouped.groups.school[grouped.groups.role == MEMBER])
    reputation_gain = (
        grouped.school_table.reputation[members] - baseline.school_table.reputation[members]
    ).mean()
    quality_gain = (
        grouped.school_table.teaching_quality[members]
        - baseline.school_table.teaching_quality[members]
    ).mean()
    assert reputation_gain > 0.8  # SD of reputation, at once (observed 1.65)
    assert quality_gain < 0.5 * reputation_gain
    assert abs(quality_gain) < 0.08  # pupil SD per year after one year (observed 0.053)


def test_groups_without_renewal_dissolve_at_the_end_of_their_term(demo_path):
    model = _run(demo_path, 4, [_rule("alliance", term_years=2, renew=False)])
    labels = model.tables()["events"]["label"].tolist()
    assert "formed" in labels and "dissolved" in labels
    assert model.groups.school.size == 0
    assert all(not g.active for g in model.groups.groups)


def test_renewed_groups_keep_their_members(demo_path):
    model = _run(demo_path, 4, [_rule("alliance", term_years=2)])
    tables = model.tables()
    events = tables["events"]
    renewed = sorted(events.loc[events.label == "renewed", "year"].unique())
    assert renewed, "no group was renewed"
    schools = tables["schools"].set_index(["year", "school"])[["group_id", "group_role"]]
    before = schools.loc[renewed[0] - 1]
    after = schools.loc[schools.index.get_level_values("year").max()]
    assert (before.group_role == "member").sum() > 2
    # the same schools in the same groups with the same roles, before and after renewal
    pd.testing.assert_frame_equal(before, after)
    joined = model.groups.joined_year[model.groups.role == MEMBER]
    assert (joined < renewed[0]).all()  # members were not re-admitted at renewal


def test_schools_table_reports_group_kind_and_role(demo_path):
    schools = _run(demo_path, 1, [_rule("tight")]).tables()["schools"]
    last = schools[schools.year == schools.year.max()]
    assert set(last["group_role"]) == {"", "core", "member"}
    assert set(last.loc[last.group_role != "", "group_kind"]) == {"tight"}


def test_explicit_group_naming_a_missing_school_is_an_error_with_its_path(demo_path):
    bad = {
        "groups.explicit": [
            {
                "name": "g",
                "kind": "tight",
                "core": "Old Town-P01",
                "members": ["Old Town-P02", "Nowhere-P01"],
                "formed": "2019-09-01",
            }
        ]
    }
    with pytest.raises(ScenarioError) as error:
        load_scenario(demo_path, bad)
    assert "groups.explicit[0].members[1]: school 'Nowhere-P01' does not exist" in str(error.value)
