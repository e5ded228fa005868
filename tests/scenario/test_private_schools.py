"""Scenario checks for private schools: counts per district and their exclusion from groups."""

from __future__ import annotations

import pytest

from edusim.scenario.loader import ScenarioError, load_scenario
from edusim.scenario.private import private_school_count


def test_private_school_count_rounds_the_share_and_leaves_a_public_school():
    assert private_school_count(10, None, 0.11) == 1
    assert private_school_count(10, None, 0.04) == 0
    assert private_school_count(10, 3, 0.11) == 3
    assert private_school_count(1, None, 0.5) == 0  # one site is always public
    assert private_school_count(0, None, 0.5) == 0


def test_a_district_with_only_private_schools_is_refused(demo_path):
    with pytest.raises(ScenarioError) as error:
        load_scenario(demo_path, ["city.districts[1].private_schools={primary: 10, junior: 0}"])
    assert "city.districts[1].private_schools.primary" in str(error.value)
    assert "no public school" in str(error.value)


def test_a_private_school_cannot_join_an_explicit_group(demo_path):
    group = (
        "groups.explicit=[{name: G, kind: tight, formed: 2018-09-01, "
        "core: Old Town-J01, members: [Old Town-MJ01]}]"
    )
    with pytest.raises(ScenarioError) as error:
        load_scenario(demo_path, [group])
    assert "groups.explicit[0].members[0]: school 'Old Town-MJ01' is private" in str(error.value)
