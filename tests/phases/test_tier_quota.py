"""A rotation quota by tier (Sanming 四(一)3: 2-3 *municipal* backbone teachers to each
member): ordinary teachers cannot fill it, unfilled places are counted."""

from __future__ import annotations

import json
from types import SimpleNamespace

import numpy as np

from edusim.model import EduModel
from edusim.phases.rotation import _tier_quota_postings

# core 0 with members 1 (weaker) and 2; candidates are core teachers 10-15
TIER = np.zeros(16, dtype=np.int8)
TIER[[10, 11, 12, 13, 14, 15]] = [2, 0, 1, 3, 0, 2]  # municipal or above: 10, 13, 15
CANDIDATES = np.arange(10, 16)
KEY = np.array([5.0, 9.0, 8.0, 1.0, 7.0, 3.0])  # principal's ranking: 11 12 14 10 15 13
MEMBERS = np.array([1, 2])
STRENGTH = np.array([1.0, 0.0, 0.5])
STAFF = np.array([20.0, 10.0, 10.0])


def _params(per_member: int) -> SimpleNamespace:
    return SimpleNamespace(
        teachers_per_member=per_member,
        quota_min_tier="municipal_backbone",
        backbone_share_min=0.0,
    )


def test_only_teachers_of_the_tier_fill_the_quota_and_the_rest_is_a_shortfall():
    chosen, hosts, short = _tier_quota_postings(
        CANDIDATES, KEY, TIER, MEMBERS, MEMBERS, STRENGTH, STAFF, _params(2), by_share=0
    )
    # four places, three qualified teachers in the ranking's order 10, 15, 13: the
    # weaker member (1) gets the first and third, member 2 the second; one place empty
    assert chosen.tolist() == [10, 15, 13]
    assert hosts.tolist() == [1, 2, 1]
    assert short == 1
    assert (TIER[chosen] >= 2).all()


def test_the_national_share_beyond_the_quota_may_go_to_anyone():
    chosen, hosts, short = _tier_quota_postings(
        CANDIDATES, KEY, TIER, MEMBERS, MEMBERS, STRENGTH, STAFF, _params(1), by_share=4
    )
    # quota 2: 10 and 15 (the best ranked qualified); the share asks 4, so two more by
    # the ranking among the rest: 11 (ordinary) and 12 (school backbone)
    assert chosen[:2].tolist() == [10, 15] and short == 0
    assert sorted(chosen[2:].tolist()) == [11, 12]
    assert set(hosts.tolist()) <= {1, 2}


def test_in_the_model_no_ordinary_teacher_fills_a_municipal_quota(demo_path):
    rules = [
        {
            "name": "G",
            "kind": "tight",
            "formed": "2018-09-01",
            "stage": "primary",
            "target_share": 0.6,
            "max_members": 3,
        }
    ]
    overrides = {
        "groups.rules": rules,
        "rotation.teachers_per_member": 3,
        "rotation.share_of_eligible": 0.0,
        "rotation.quota_min_tier": "municipal_backbone",
    }
    model = EduModel(demo_path, seed=5, years=2, overrides=overrides)
    model.step()
    events = model.tables()["events"]
    postings = [json.loads(d) for d in events[events.kind == "posting"]["detail"]]
    cores = {model.groups.groups[g].core for g in range(len(model.groups.groups))}
    names = set(model.school_table.name[list(cores)])
    from_cores = [p for p in postings if p["from"] in names]
    assert from_cores and all(p["tier"] >= 2 for p in from_cores)
    summary = json.loads(events[events.label == "postings by tier"]["detail"].iloc[0])
    members = int((model.groups.role == 2).sum())
    assert summary["quota_shortfall"] == 3 * members - len(from_cores)
