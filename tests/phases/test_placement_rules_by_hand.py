"""Rules of the placement of entrants (phases/placement.py), each checked on the small city
against what the rule says of every pair of applicants: under a stable mechanism an
applicant who listed a school above the one it got was beaten there by everyone the
school admitted, so each priority the rule names must order those pairs. Each rule is
also run switched off, to show that the same check then fails (the check can tell the
rule from its absence). Written for the placement mutants that survived the fresh
sample of seed 25 (docs/testing.md, "Mutation testing")."""

from __future__ import annotations

import numpy as np

from edusim.model import EduModel
from edusim.phases.placement import Placement
from edusim.phases.travel import km_to_schools
from edusim.policy.enrollment import RULE_CODES
from edusim.world.schools import FIRST_GRADE

SEED = 3

# choice under deferred acceptance with no resident or sibling priority: what is left to
# order applicants is the rule under test and the lottery
CHOICE = {
    "enrollment.rule": "choice",
    "enrollment.mechanism": "deferred_acceptance",
    "enrollment.catchment_priority": False,
    "families.sibling_share": 0.0,
    "enrollment.distance_priority": False,
}


def _matches(monkeypatch, scenario, overrides) -> list[tuple]:
    """The model after its first intake, and every call of the placement's matching in
    it: (stage, lists, entrants, school matched, the entrants' achievement then)."""
    model = EduModel(scenario, seed=SEED, years=2, overrides=overrides)
    seen = []
    real = Placement._match

    def spy(self, year, stage, code, lists, entrants, *args, **kwargs):
        matched, found = real(self, year, stage, code, lists, entrants, *args, **kwargs)
        achievement = self.model.families.achievement[entrants].copy()
        seen.append((stage, lists.copy(), entrants.copy(), matched.copy(), achievement))
        return matched, found

    monkeypatch.setattr(Placement, "_match", spy)
    model.step()
    monkeypatch.setattr(Placement, "_match", real)
    return model, seen


def _beaten_pairs(lists: np.ndarray, matched: np.ndarray):
    """(i, k, j, kj) for every applicant i, school lists[i, k] it listed above its match
    (or any, when unmatched), and applicant j admitted there (at j's list position kj)."""
    n, width = lists.shape
    rank = np.full(n, width)
    hit = lists == matched[:, None]
    rank[hit.any(axis=1)] = hit.argmax(axis=1)[hit.any(axis=1)]
    for i in range(n):
        for k in range(rank[i]):
            school = lists[i, k]
            if school < 0:
                continue
            for j in np.flatnonzero(matched == school):
                yield i, k, j, int(np.flatnonzero(lists[j] == school)[0])


def _farther_winners(model, lists, entrants, matched) -> tuple[int, int]:
    """Pairs checked, and pairs where the admitted applicant lives in a farther whole-km
    band of the school than the one it beat."""
    band = np.floor(km_to_schools(model, model.families.cell[entrants], lists))
    pairs = farther = 0
    for i, k, j, kj in _beaten_pairs(lists, matched):
        pairs += 1
        farther += band[j, kj] > band[i, k]
    return pairs, farther


def test_with_distance_priority_nobody_farther_takes_a_nearer_applicants_place(
    small_city, monkeypatch
):
    """Choice with `distance_priority` (就近): at every school, every admitted applicant
    lives in the same or a nearer whole-km band than every applicant who wanted the school
    more than the place it got; the lottery orders only applicants of one band. Without
    the priority the lottery alone decides, and thousands of such pairs are reversed."""
    model, seen = _matches(
        monkeypatch, small_city, {**CHOICE, "enrollment.distance_priority": True}
    )
    assert [stage for stage, *_ in seen] == [0, 1]
    for _, lists, entrants, matched, _ in seen:
        assert (matched >= 0).all()
        pairs, farther = _farther_winners(model, lists, entrants, matched)
        assert pairs > 5000 and farther == 0
    model, seen = _matches(monkeypatch, small_city, CHOICE)
    for _, lists, entrants, matched, _ in seen:
        pairs, farther = _farther_winners(model, lists, entrants, matched)
        assert farther > 0.2 * pairs


FEEDERS = {
    "Core-P01": "Core-J01",
    "Core-P02": "Core-J01",
    "Core-P03": "Core-J02",
    "Core-P04": "Core-J02",
}


def _unfed_winners(model, lists, entrants, matched) -> tuple[int, int, int]:
    """Pairs where a fed applicant wanted its feeder school more than its place, how
    many of them the school gave to an applicant it does not feed, and how many entrants
    came from a primary school with a feeder link."""
    intake = next(phase for phase in model.phases if phase.name == "enrollment")
    primary = intake._primary_school(model.families.uid[entrants])
    feeds = model.school_table.feeds
    fed_to = np.where(primary >= 0, feeds[np.maximum(primary, 0)], -1)
    pairs = unfed = 0
    for i, k, j, _ in _beaten_pairs(lists, matched):
        if fed_to[i] == lists[i, k]:
            pairs += 1
            unfed += fed_to[j] != lists[i, k]
    return pairs, unfed, int((fed_to >= 0).sum())


def test_with_feeder_priority_a_fed_pupil_loses_its_feeder_school_only_to_fed_pupils(
    small_scenario, monkeypatch
):
    """Junior choice with `feeder_priority` (对口): pupils of a primary school that feeds a
    junior school (Core-P01/P02 feed Core-J01, P03/P04 Core-J02; the Isles' links as
    built) rank there above everyone else without residence priority, so a fed pupil
    that wanted its feeder school more than its place lost it only to other fed pupils.
    Without the priority unfed pupils win about half of those contests."""
    small_scenario["feeders"] = {"pairs": FEEDERS}
    on = {**CHOICE, "enrollment.feeder_priority": True}
    for overrides, share in ((on, None), (CHOICE, 0.3)):
        model, seen = _matches(monkeypatch, small_scenario, overrides)
        (junior,) = [call for call in seen if call[0] == 1]
        pairs, unfed, fed = _unfed_winners(model, *junior[1:4])
        assert fed == 300 and pairs > 1000  # every junior entrant comes from a linked school
        if share is None:
            assert unfed == 0
        else:
            assert unfed > share * pairs


def test_group_wide_enrollment_lists_exactly_the_campuses_of_the_home_schools_group(
    small_scenario,
):
    """Group-wide enrollment (集团统一招生): an entrant lists every campus of its
    catchment school's group in the stage, and only those; a school in no group that
    enrols jointly lists itself alone. Two tight groups (kind `tight` enrols jointly) of
    Core's primary schools: P01 with P02, P03 with P04; the Isles' schools are in none."""
    small_scenario["groups"] = {
        "explicit": [
            {"name": "G1", "kind": "tight", "core": "Core-P01", "members": ["Core-P02"],
             "formed": "2018-09-01"},
            {"name": "G2", "kind": "tight", "core": "Core-P03", "members": ["Core-P04"],
             "formed": "2018-09-01"},
        ]
    }  # fmt: skip
    model = EduModel(small_scenario, seed=SEED, years=2, overrides={"enrollment.rule": "group"})
    model.step()
    names = list(model.school_table.name)
    intake = next(phase for phase in model.phases if phase.name == "enrollment")
    families = model.families
    expected = {
        "Core-P01": {"Core-P01", "Core-P02"},
        "Core-P02": {"Core-P01", "Core-P02"},
        "Core-P03": {"Core-P03", "Core-P04"},
        "Core-P04": {"Core-P03", "Core-P04"},
        **{f"Isles-P0{n}": {f"Isles-P0{n}"} for n in range(1, 5)},
    }
    entrants = np.flatnonzero(families.grade == FIRST_GRADE[0])
    home = model.catchments.catchment_of(families.cell[entrants], 0)
    lists = intake._preference_lists(RULE_CODES["group"], 0, entrants, home)
    listed = {names[h]: set() for h in np.unique(home)}
    for row, school in enumerate(home):
        got = {names[s] for s in lists[row] if s >= 0}
        assert got == expected[names[school]], names[school]
        listed[names[school]] |= got
    assert listed == expected  # every catchment school has entrants here


def test_with_sibling_priority_a_sibling_loses_the_older_childs_school_only_to_siblings(
    small_city, monkeypatch
):
    """Choice with `sibling_priority` (half the entrants have an older sibling,
    `families.sibling_share` 0.5, at the school of the last pupil of the stage in their
    cell): no entrant who wanted its sibling's school more than the place it got loses
    it to an applicant without a sibling there (here none loses it at all), so more
    entrants join their sibling. Without the priority others win most such contests
    (over 500 at each stage on the small city, seed 3)."""
    base = {**CHOICE, "families.sibling_share": 0.5}
    joined = {}
    for priority in (True, False):
        model, seen = _matches(
            monkeypatch, small_city, {**base, "enrollment.sibling_priority": priority}
        )
        sibling_school = model.families.sibling_school
        joined[priority] = []
        for _, lists, entrants, matched, _ in seen:
            sibling = sibling_school[entrants]
            assert (sibling >= 0).sum() > 100
            contests = beaten_by_others = 0
            for i, k, j, _ in _beaten_pairs(lists, matched):
                if sibling[i] == lists[i, k]:
                    contests += 1
                    beaten_by_others += sibling[j] != lists[i, k]
            if priority:
                assert beaten_by_others == 0
            else:
                assert contests > 300 and beaten_by_others > 0.5 * contests
            joined[priority].append(int(((matched == sibling) & (sibling >= 0)).sum()))
    assert all(a > b for a, b in zip(joined[True], joined[False], strict=True))


def test_admission_by_test_admits_the_higher_scores_and_the_lottery_does_not_count(
    small_city, monkeypatch
):
    """Admission by test (`achievement`, no residence priority): an applicant who wanted
    a school more than its place lost it only to applicants with a higher test
    percentile, the score being its achievement plus its own `enrollment.test` draw x
    `test_noise_sd`; ordering the same pairs by achievement without the noise reverses
    some of them (the noise matters), and ordering them by the lottery reverses many."""
    from edusim.policy.admission import exam_scores, percentile

    overrides = {**CHOICE, "enrollment.rule": "achievement"}
    model, seen = _matches(monkeypatch, small_city, overrides)
    families, params = model.families, model.params.enrollment
    year = model.current_school_year
    for _, lists, entrants, matched, achievement in seen:
        uids = families.uid[entrants]
        noise = model.streams.normal("enrollment.test", year, uids)
        score = percentile(exam_scores(achievement, noise, params.test_noise_sd))
        lottery = model.streams.uniform("enrollment.lottery", year, uids)
        pairs = [(i, j) for i, _, j, _ in _beaten_pairs(lists, matched)]
        assert len(pairs) > 3000
        i, j = np.array(pairs).T
        assert (score[j] > score[i]).all()
        assert 0 < (achievement[j] < achievement[i]).sum() < 0.2 * len(pairs)
        assert (lottery[j] < lottery[i]).mean() > 0.3
