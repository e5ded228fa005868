"""Rules inside the yearly phases whose mutants survived the fresh sample of seed 27
(docs/testing.md, "Mutation testing"), outside the five modules given rule-level files
that session (arrivals, rotation, sharing, specialties, staffing): written AFTER that
score was taken, so the seed-27 figure is fresh and its "after" figure is not."""

from __future__ import annotations

import numpy as np

from edusim.model import EduModel

SEED = 3


def _phase(model: EduModel, name: str):
    return next(phase for phase in model.phases if phase.name == name)


def test_the_public_rates_a_school_from_the_year_it_has_taught_every_grade(small_city):
    """A primary school (6 grades) opened in 2013 has taught grades 1-6 by the 2018
    evaluation and is rated (its reputation moves); one opened in 2014 has taught five
    and keeps the reputation it had (phases/evaluation.py)."""
    model = EduModel(small_city, seed=SEED, years=2)
    model.step()
    year, table = model.current_school_year, model.school_table
    assert year == 2018
    full, short = np.flatnonzero(table.active & (table.stage == 0) & ~table.private)[:2]
    table.opened_year[full], table.opened_year[short] = 2013, 2014
    before = table.reputation.copy()
    _phase(model, "evaluation").step(year)
    assert table.reputation[short] == before[short]
    assert table.reputation[full] != before[full]


def test_the_tier_review_credits_rotated_teachers_with_the_promotion_priority(small_city):
    """`promotion_priority` on, `promotion_priority_sd` 0.05: a teacher who has rotated
    is reviewed at its effectiveness + 0.05. Every teacher is eligible and ordinary;
    effectiveness runs evenly from 0 to 1 over the teachers, so the top 20% (tiers
    1-3) start near 0.8. Of two twins at 0.78, the one who rotated (0.83) reaches tier
    1 and the other stays ordinary; the weakest teacher, rotated (0.05), stays ordinary
    too (a credit of 0.05, not 1 / 0.05)."""
    model = EduModel(
        small_city, seed=SEED, years=2, overrides={"rotation.promotion_priority": True}
    )
    model.step()
    teachers = model.teachers
    n = len(teachers)
    effectiveness = np.linspace(0.0, 1.0, n)
    twin, other = n // 2, n // 2 + 1
    effectiveness[[twin, other]] = 0.78
    model.teacher_effectiveness = lambda: effectiveness
    teachers.tier = np.zeros(n, dtype=teachers.tier.dtype)
    teachers.experience = np.full(n, 20.0)
    rotated = np.zeros(n)
    rotated[[twin, 0]] = 2.0
    teachers.rotated_years = rotated
    _phase(model, "evaluation").step(model.current_school_year)
    assert (teachers.tier[twin], teachers.tier[other], teachers.tier[0]) == (1, 0, 0)
    assert 0.15 * n < (teachers.tier >= 1).sum() < 0.25 * n


def test_a_new_school_opens_at_its_peers_mean_reputation_and_addresses_expect_it(small_city):
    """Core-P05 opens in 2019 (timeline): its reputation is the mean of the open public
    primaries of Core before it (Core-P01..P04), and what every address class expects
    from its catchment, at either stage, is that reputation
    (phases/school_lifecycle.py `_open`); the event is logged by name."""
    scenario = dict(small_city)
    scenario["timeline"] = [
        {"date": "2019-09-01", "open": {"name": "Core-P05", "stage": "primary",
                                        "district": "Core", "classes_per_grade": 2}}
    ]  # fmt: skip
    model = EduModel(scenario, seed=SEED, years=3)
    model.step()
    table = model.school_table
    row = list(table.name).index("Core-P05")
    expected = float(table.reputation[[0, 1, 2, 3]].mean())
    _phase(model, "policy").step(2019)
    assert table.active[row] and table.opened_year[row] == 2019
    assert table.reputation[row] == expected
    for stage in (0, 1):
        np.testing.assert_array_equal(model.access_reputation[stage][:, row], expected)


def test_a_merger_is_logged_with_both_schools_and_what_moved(small_city):
    """Core-P02 merged into Core-P01 in 2019: the log names both, the campus kept (the
    default), and the pupils and teachers Core-P02 had."""
    scenario = dict(small_city)
    scenario["timeline"] = [
        {"date": "2019-09-01", "merge": {"school": "Core-P02", "into": "Core-P01"}}
    ]
    model = EduModel(scenario, seed=SEED, years=3)
    model.step()
    pupils = int((model.families.school == 1).sum())
    teachers = int((model.teachers.home_school == 1).sum())
    _phase(model, "policy").step(2019)
    (merged,) = [e for e in model._events if e["kind"] == "school" and e["year"] == 2019]
    assert merged["detail"] == {
        "change": "merge",
        "date": "2019-09-01",
        "school": "Core-P02",
        "into": "Core-P01",
        "keep_campus": True,
        "pupils": pupils,
        "teachers": teachers,
    }
    assert pupils > 0 and teachers > 0


def test_shrinking_a_school_seats_its_own_grades_and_no_other_schools(small_city):
    """Core-P03 (classes of 100 set by hand) shrinks by 30 classes a grade in 2019: it
    keeps as many as its largest grade needs, ceil(largest / 100), and no other school's classes change, not
    even one whose largest grade outgrew its places (Core-P01, its classes made
    smaller by hand) (phases/school_lifecycle.py `_resize`)."""
    from edusim.phases.school_lifecycle import apply_school_change
    from edusim.scenario.lifecycle import ResizeSchool

    model = EduModel(small_city, seed=SEED, years=3)
    model.step()
    table, families = model.school_table, model.families
    table.class_size[0] = 10
    table.class_size[2] = 100  # fewer classes than it has are enough
    crowded = np.bincount(families.grade[families.school == 0]).max()
    assert crowded > table.classes_per_grade[0] * 10
    before = table.classes_per_grade.copy()
    largest = np.bincount(families.grade[families.school == 2]).max()
    spec = ResizeSchool(school="Core-P03", classes=30)
    detail = apply_school_change(_phase(model, "policy"), 2019, "shrink", spec)
    needed = int(np.ceil(largest / table.class_size[2]))
    assert table.classes_per_grade[2] == needed < before[2]
    others = np.arange(len(table)) != 2
    np.testing.assert_array_equal(table.classes_per_grade[others], before[others])
    assert detail == {
        "school": "Core-P03",
        "classes_before": int(before[2]),
        "classes_after": needed,
    }


def test_a_posted_leader_goes_home_when_the_posting_ends_or_the_host_closes(small_city):
    """Three deputies of Core-P01 posted to other schools (phases/leadership.py
    `_end_postings`, 2019): one whose posting ended in 2018 goes home; one posted to
    2021 at Core-P03, which has closed, goes home; one posted to 2021 at open Core-P04
    stays there. Home again: no posting, kind `home`, 0 years at the school."""
    from edusim.agents.leaders import DEPUTY, GROUP_POSTING, HOME
    from edusim.phases.leadership import LeaderPasses

    model = EduModel(small_city, seed=SEED, years=3)
    model.step()
    leaders, table = model.leaders, model.school_table
    rows = np.flatnonzero((leaders.home_school == 0) & (leaders.role == DEPUTY))[:1]
    rows = np.concatenate([rows, np.flatnonzero(leaders.home_school == 1)[:2]])
    assert rows.size == 3
    school, end = leaders.school.copy(), leaders.posting_end.copy()
    kind, years = leaders.posting_kind.copy(), leaders.years_at_school.copy()
    school[rows], end[rows], kind[rows], years[rows] = (
        [1, 2, 3],
        [2018, 2021, 2021],
        GROUP_POSTING,
        3.0,
    )
    leaders.school, leaders.posting_end, leaders.posting_kind = school, end, kind
    leaders.years_at_school = years
    table.active[2] = False
    LeaderPasses(model)._end_postings(2019)
    home = leaders.home_school[rows]
    np.testing.assert_array_equal(leaders.school[rows], [home[0], home[1], 3])
    np.testing.assert_array_equal(leaders.posting_end[rows], [-1, -1, 2021])
    np.testing.assert_array_equal(leaders.posting_kind[rows], [HOME, HOME, GROUP_POSTING])
    np.testing.assert_array_equal(leaders.years_at_school[rows], [0.0, 0.0, 3.0])


def test_a_leader_retires_on_reaching_the_statutory_age(small_city):
    """A leader exactly at its statutory retirement age leaves; one half a year younger
    stays (phases/leadership.py `_exits`); the record counts the retirement."""
    from edusim.phases.leadership import LeaderPasses

    model = EduModel(small_city, seed=SEED, years=3)
    model.step()
    leaders, params = model.leaders, model.params.teachers
    statutory = np.where(leaders.female, params.retirement_age_female, params.retirement_age_male)
    age = np.minimum(leaders.age, statutory - 1.0)
    age[0], age[1] = statutory[0], statutory[1] - 0.5
    leaders.age = age
    gone, kept = leaders.uid[0], leaders.uid[1]
    stats = {"retired": 0, "not_reappointed": 0}
    LeaderPasses(model)._exits(stats)
    assert gone not in leaders.uid and kept in leaders.uid
    assert stats["retired"] == 1


def _first_primary_match(monkeypatch, small_city, overrides):
    """(model, lists, entrants, matched) of the first primary intake's matching."""
    from edusim.phases.placement import Placement

    model = EduModel(small_city, seed=SEED, years=2, overrides=overrides)
    seen = []
    real = Placement._match

    def spy(self, year, stage, code, lists, entrants, *args, **kwargs):
        matched, found = real(self, year, stage, code, lists, entrants, *args, **kwargs)
        seen.append((stage, lists.copy(), entrants.copy(), matched.copy()))
        return matched, found

    monkeypatch.setattr(Placement, "_match", spy)
    model.step()
    monkeypatch.setattr(Placement, "_match", real)
    stage, lists, entrants, matched = seen[0]
    assert stage == 0
    return model, lists, entrants, matched


def _lottery_orders(model, lists, entrants, matched) -> tuple[int, int, int]:
    """Over every pair (i beaten at a school it listed above its match by j, admitted
    there): pairs, pairs where j's single lottery number is below i's, and pairs where
    j's number for that school (multiple tie-breaking) is below i's."""
    year = model.current_school_year
    uids = model.families.uid[entrants]
    single = model.streams.uniform("enrollment.lottery", year, uids)

    n_schools = len(model.school_table)
    ids = (uids.astype(np.uint64)[:, None] << np.uint64(20)) + np.arange(n_schools, dtype=np.uint64)
    by_school = model.streams.uniform("enrollment.school_lottery", year, ids.ravel())
    by_school = by_school.reshape(uids.size, n_schools)
    pairs = single_wrong = school_wrong = 0
    n, width = lists.shape
    for i in range(n):
        listed = lists[i]
        stop = np.flatnonzero(listed == matched[i])
        for school in listed[: stop[0] if stop.size else width]:
            if school < 0:
                continue
            admitted = np.flatnonzero(matched == school)
            pairs += admitted.size
            single_wrong += int((single[admitted] < single[i]).sum())
            school_wrong += int((by_school[admitted, school] < by_school[i, school]).sum())
    return pairs, single_wrong, school_wrong


def test_ties_are_broken_by_one_lottery_or_one_per_school_as_the_rule_says(small_city, monkeypatch):
    """Choice under deferred acceptance with no priority but the lottery: with single
    tie-breaking (the default) everyone admitted to a school an applicant listed above
    its match has a higher `enrollment.lottery` number than that applicant; with multiple
    tie-breaking each school orders applicants by their own number for that school
    (`enrollment.school_lottery`, keyed by family id << 20 + school), and the single
    numbers no longer order them."""
    choice = {
        "enrollment.rule": "choice",
        "enrollment.mechanism": "deferred_acceptance",
        "enrollment.catchment_priority": False,
        "families.sibling_share": 0.0,
        "enrollment.distance_priority": False,
    }
    model, *match = _first_primary_match(monkeypatch, small_city, choice)
    pairs, single_wrong, _ = _lottery_orders(model, *match)
    assert pairs > 1000 and single_wrong == 0
    multiple = {**choice, "enrollment.tie_breaking": "multiple"}
    model, *match = _first_primary_match(monkeypatch, small_city, multiple)
    pairs, single_wrong, school_wrong = _lottery_orders(model, *match)
    assert pairs > 1000 and school_wrong == 0 and single_wrong > 0.2 * pairs


def test_only_strategic_families_facing_a_manipulable_mechanism_read_cutoffs(small_city):
    """Families skip schools out of reach (by last year's cutoffs) only when they are
    strategic (`strategy` "cutoffs") AND the mechanism is not strategy-proof: after two
    intakes the intake keeps cutoffs for Boston (immediate acceptance) with strategic
    families, none for Boston with sincere ones, none for deferred acceptance even with
    strategic ones."""
    kept = {}
    for strategy, mechanism in [("cutoffs", "immediate_acceptance"),
                                ("sincere", "immediate_acceptance"),
                                ("cutoffs", "deferred_acceptance")]:  # fmt: skip
        overrides = {
            "enrollment.rule": "choice",
            "enrollment.mechanism": mechanism,
            "enrollment.strategy": strategy,
        }
        model = EduModel(small_city, seed=SEED, years=2, overrides=overrides)
        model.step()
        model.step()
        kept[strategy, mechanism] = bool(_phase(model, "enrollment").cutoffs)
    assert kept == {
        ("cutoffs", "immediate_acceptance"): True,
        ("sincere", "immediate_acceptance"): False,
        ("cutoffs", "deferred_acceptance"): False,
    }


def test_a_buyers_cost_covers_junior_years_only_when_junior_access_is_priced(
    small_city, monkeypatch
):
    """The satisfaction record prices a buyer's premium over the years it holds the flat
    (phases/satisfaction.py): a primary entrant's 6 years, or 6 + 3 = 9 when junior
    access is priced with the primary address (`housing.junior_access_priced`); a junior
    entrant's 3 either way."""
    import edusim.phases.satisfaction as satisfaction

    held = []
    real = satisfaction.holding_cost_per_yuan

    def spy(housing, years, rule_years):
        held.append(years)
        return real(housing, years, rule_years)

    monkeypatch.setattr(satisfaction, "holding_cost_per_yuan", spy)
    for priced, expected in ((False, [6, 3]), (True, [9, 3])):
        model = EduModel(
            small_city, seed=SEED, years=2, overrides={"housing.junior_access_priced": priced}
        )
        rows = np.arange(2)
        school = np.zeros(2, dtype=np.int64)
        held.clear()
        for stage in (0, 1):
            satisfaction.entrant_satisfaction(
                model, stage, rows, school, school, school, np.zeros(2), np.zeros(2)
            )
        assert held == expected


def test_only_a_family_that_rented_into_a_used_flat_loses_its_catchment_right(small_city):
    """Under a one-enrollment-per-dwelling rule (`dwelling_rule_years` 6), an entrant
    whose family rented to move for the school (a tenant) has its catchment right unless
    its flat was already used: its own `enrollment.dwelling` draw of the year under the
    catchment's used share (0.5 here, set by hand). Owners, and families that did not move,
    keep their right whatever their draw (phases/placement.py `_entitled`)."""
    model = EduModel(
        small_city, seed=SEED, years=2, overrides={"enrollment.dwelling_rule_years": 6}
    )
    model.step()
    families = model.families
    entrants = np.arange(200)
    moved, owner = families.moved_for_school.copy(), families.owner.copy()
    moved[entrants] = np.arange(200) % 2 == 0
    owner[entrants] = np.arange(200) % 4 == 0
    families.moved_for_school, families.owner = moved, owner
    model.dwelling_used_share = lambda stage: np.full(len(model.school_table), 0.5)
    home = np.zeros(200, dtype=np.int64)
    entitled = _phase(model, "enrollment")._entitled(2019, 0, entrants, home)
    draw = model.streams.uniform("enrollment.dwelling", 2019, families.uid[entrants])
    tenant = moved[entrants] & ~owner[entrants]
    np.testing.assert_array_equal(entitled, ~tenant | (draw >= 0.5))
    assert (~entitled).any() and (entitled & (draw < 0.5)).any()


# Survivors of the fresh sample of seed 28 (docs/testing.md), written after that score.


def test_a_principal_not_reappointed_at_the_end_of_a_term_leaves_leadership(small_city):
    """`replace_bottom_share` 0.5, terms of 5 years: every principal has served 5 years
    and has been judged; in each stage the lower half by judgement (rounded down) is
    not reappointed and leaves (phases/leadership.py `_exits`), counted apart from the
    retirements; the upper half stays."""
    from edusim.agents.leaders import PRINCIPAL
    from edusim.phases.leadership import LeaderPasses

    overrides = {"leaders.replace_bottom_share": 0.5, "leaders.term_years": 5}
    model = EduModel(small_city, seed=SEED, years=3, overrides=overrides)
    model.step()
    leaders, table = model.leaders, model.school_table
    leaders.age = np.minimum(leaders.age, 50.0)
    principal = np.flatnonzero(leaders.role == PRINCIPAL)
    years, judged_years = leaders.years_at_school.copy(), leaders.judged_years.copy()
    years[principal], judged_years[principal] = 5.0, 3.0
    leaders.years_at_school, leaders.judged_years = years, judged_years
    judged = np.zeros(len(leaders))
    judged[principal] = np.arange(principal.size, dtype=float)
    leaders.judged = judged
    stage = table.stage[leaders.school[principal]]
    dropped = []
    for s in (0, 1):
        rows = principal[stage == s]  # judged in row order: the first are the lowest
        dropped += leaders.uid[rows[: rows.size // 2]].tolist()
    kept = sorted(set(leaders.uid[principal].tolist()) - set(dropped))
    stats = {"retired": 0, "not_reappointed": 0}
    LeaderPasses(model)._exits(stats)
    assert not set(dropped) & set(leaders.uid.tolist())
    assert set(kept) <= set(leaders.uid.tolist())
    assert stats == {"retired": 0, "not_reappointed": len(dropped)} and len(dropped) == 6


def test_the_district_mean_reputation_is_over_its_open_public_schools_of_the_stage(
    small_city,
):
    """Core's primaries' reputation set to 1, 2, 3 and 10 with Core-P04 (10) closed:
    Core's mean for primary entrants' satisfaction is 2.0, not counting the closed school
    nor the junior schools (reputation 100); the Isles' primaries 0.5 each give 0.5
    (phases/satisfaction.py `district_mean_reputation`)."""
    from edusim.phases.satisfaction import district_mean_reputation

    model = EduModel(small_city, seed=SEED, years=2)
    table = model.school_table
    table.reputation = np.full(len(table), 100.0)
    table.reputation[[0, 1, 2, 3]] = [1.0, 2.0, 3.0, 10.0]
    table.reputation[[6, 7, 8, 9]] = 0.5
    table.active[3] = False
    np.testing.assert_allclose(district_mean_reputation(model, 0), [2.0, 0.5])
    np.testing.assert_allclose(district_mean_reputation(model, 1), [100.0, 100.0])


def test_with_satisfaction_weighted_alone_schools_score_in_the_order_of_their_satisfaction(
    small_city,
):
    """Evaluation weights 0 for progress, core gap and teacher growth and 1 for
    satisfaction: each school's July score is its entrants' mean satisfaction
    standardised within its stage, so within a stage the scores are ordered as the
    schools' satisfaction and are not all 0 (phases/evaluation.py `_score`)."""
    from edusim.phases.satisfaction import school_satisfaction

    overrides = {
        "evaluation.weight_progress": 0.0,
        "evaluation.weight_core_gap": 0.0,
        "evaluation.weight_teacher_growth": 0.0,
        "evaluation.weight_satisfaction": 1.0,
    }
    model = EduModel(small_city, seed=SEED, years=2, overrides=overrides)
    model.step()
    table = model.school_table
    satisfaction = school_satisfaction(model)
    for stage in (0, 1):
        rows = np.flatnonzero((table.stage == stage) & ~np.isnan(satisfaction))
        assert rows.size >= 3
        order = np.argsort(satisfaction[rows])
        assert (np.diff(table.evaluation_score[rows][order]) > 0).all()


def test_public_choice_lists_only_open_public_schools_however_reputed_a_private_one(
    small_scenario,
):
    """Under choice each entrant weighs its nearest schools and its district's most
    reputed ones (phases/placement.py `_preference_lists`), of the open public schools
    only: Core's two private primaries, made the most reputed schools of the city, are
    on no Core entrant's public list, while Core's most reputed public primary is on
    every Core entrant's list."""
    from edusim.policy.enrollment import RULE_CODES
    from edusim.world.schools import FIRST_GRADE

    core, isles = small_scenario["city"]["districts"]
    core["private_schools"] = {"primary": 2, "junior": 0}
    isles["private_schools"] = {"primary": 0, "junior": 0}
    model = EduModel(small_scenario, seed=SEED, years=2, overrides={"enrollment.rule": "choice"})
    families, table = model.families, model.school_table
    private = np.flatnonzero(table.private)
    assert private.size == 2
    table.reputation[private] = table.reputation.max() + 10.0
    public_core = np.flatnonzero(~table.private & (table.stage == 0) & (table.district == 0))
    best = public_core[np.argmax(table.reputation[public_core])]
    entrants = np.flatnonzero((families.grade == FIRST_GRADE[0]) & (families.district == 0))
    home = model.catchments.cell_school[0, families.cell[entrants]]
    intake = _phase(model, "enrollment")
    lists = intake._preference_lists(RULE_CODES["choice"], 0, entrants, home)
    assert not np.isin(lists, private).any()
    assert (lists == best).any(axis=1).all()
