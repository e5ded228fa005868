"""Rules inside the yearly phases whose mutants survived the fresh sample of seed 26 and
were left unexamined there (docs/testing.md, "Mutation testing"): written AFTER that
score was taken, so the seed-26 figure is fresh and its "after" figure is not. A
private school's amenity is fitted to its own entrants, the first school row included;
a group's rotation quota by tier runs in the model on the small city; a group of a kind
that shares its specialty lends it to a member that has none."""

from __future__ import annotations

import json

import numpy as np

import edusim.phases.intake as intake_module
from edusim.model import EduModel
from edusim.phases.specialties import offered_specialties
from edusim.world.schools import FIRST_GRADE

SEED = 3


def _phase(model: EduModel, name: str):
    return next(phase for phase in model.phases if phase.name == name)


def test_a_private_schools_amenity_is_fitted_to_its_own_entrants_row_0_included(
    small_city, monkeypatch
):
    """`_fit_private_amenity` asks `fit_private_amenity` for each private school's
    entrants as built: the number of first-grade families at that school. Row 0
    (Core-P01) is made private here: its target is its own first-graders, not zero."""
    model = EduModel(small_city, seed=SEED, years=1)
    intake = _phase(model, "enrollment")
    families, table = model.families, model.school_table
    table.private[0] = True
    targets = {}

    def record(model_, stage, cohort, target):
        targets[stage] = target.copy()
        return model_.private_amenity

    monkeypatch.setattr(intake_module, "fit_private_amenity", record)
    intake._fit_private_amenity()
    first_graders = int(((families.grade == FIRST_GRADE[0]) & (families.school == 0)).sum())
    assert first_graders > 0
    expected = np.zeros(len(table), dtype=np.int64)
    expected[0] = first_graders
    np.testing.assert_array_equal(targets[0], expected)
    np.testing.assert_array_equal(targets[1], 0)


def test_a_groups_municipal_quota_on_the_small_city_is_filled_or_counted_short(small_city):
    """A rotation quota of 3 municipal backbone teachers (tier >= 2) a member, no national
    share: every teacher a core posts is of that tier, and the places they do not fill
    are the rotation record's `quota_shortfall` (posted + short = 3 x members). The demo
    city's version of this test is too slow for the mutation runs."""
    rules = [{"name": "G", "kind": "tight", "formed": "2018-09-01", "stage": "primary",
              "target_share": 0.6, "max_members": 3}]  # fmt: skip
    overrides = {
        "groups.rules": rules,
        "rotation.teachers_per_member": 3,
        "rotation.share_of_eligible": 0.0,
        "rotation.quota_min_tier": "municipal_backbone",
    }
    model = EduModel(small_city, seed=SEED, years=2, overrides=overrides)
    model.step()
    events = model.tables()["events"]
    postings = [json.loads(d) for d in events[events.kind == "posting"]["detail"]]
    cores = set(model.school_table.name[[g.core for g in model.groups.groups]])
    from_cores = [p for p in postings if p["from"] in cores]
    assert from_cores and all(p["tier"] >= 2 for p in from_cores)
    (summary,) = [json.loads(d) for d in events[events.label == "postings by tier"]["detail"]]
    members = int((model.groups.role == 2).sum())
    assert summary["quota_shortfall"] == 3 * members - len(from_cores) > 0


def test_a_member_without_a_specialty_offers_its_cores_when_the_kind_shares_it(
    small_scenario,
):
    """Named tight group T (Core-P01 with P02, P03, P04), 30% of schools with a specialty
    of their own (seed 3: among Core's primaries only P04, kind 3; P01's latent kind is
    2). Without sharing each school offers its own. When the kind shares its specialty
    (`shared_specialty`) the core offers its latent kind 2, the members without one
    (P02, P03) offer the core's, P04 keeps its own 3, and no school outside T changes."""
    small_scenario["groups"] = {
        "explicit": [{"name": "T", "kind": "tight", "core": "Core-P01",
                      "members": ["Core-P02", "Core-P03", "Core-P04"],
                      "formed": "2018-09-01"}]
    }  # fmt: skip
    offered = {}
    for shares in (True, False):
        overrides = {
            "specialties.school_share": 0.3,
            "groups.kinds.tight.shared_specialty": shares,
        }
        model = EduModel(small_scenario, seed=SEED, years=1, overrides=overrides)
        _phase(model, "policy").step(2018)
        offered[shares] = offered_specialties(model)
    assert offered[False][:4].tolist() == [-1, -1, -1, 3]
    assert offered[True][:4].tolist() == [2, 2, 2, 3]
    np.testing.assert_array_equal(offered[True][4:], offered[False][4:])
