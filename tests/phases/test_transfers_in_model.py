"""Voluntary transfers inside the staffing phase (phases/staffing.py, policy/transfers.py):
between exits and hires, eligible teachers apply by their own draw, the rule sees each
applicant's effectiveness read with its own noise draw and the schools' vacancies after
exits, and movers change home school to a school of higher standing of their district
and stage; hires then fill what is left; the same seed gives the same moves, and share 0
moves nobody."""

from __future__ import annotations

import numpy as np

import edusim.phases.staffing as staffing_phase
from edusim.model import EduModel
from edusim.policy.titles import SENIOR

YEAR = 2019
BUSY = {
    # many leavers and many applicants, so that moves happen in a small city
    "teachers.attrition_urban": 0.2,
    "teachers.attrition_rural": 0.2,
    "teachers.transfer_apply_share": 0.5,
}


def _staffing(model: EduModel):
    return next(phase for phase in model.phases if phase.name == "staffing")


def _after_first_year(small_scenario, **overrides) -> EduModel:
    model = EduModel(small_scenario, seed=5, years=3, overrides={**BUSY, **overrides})
    model.step()
    return model


def test_transfers_take_the_years_applicants_into_vacancies_higher_up(small_scenario, monkeypatch):
    """What the rule is given, recomputed from the teachers as they stand after exits,
    and what the phase does with its answer."""
    model = _after_first_year(small_scenario)
    teachers, table, params = model.teachers, model.school_table, model.params.teachers
    staffing = _staffing(model)
    seen = {}
    rule = staffing_phase.transfer_destinations

    def recorded(school, observed, open_posts, standing, area, floor, **titles):
        seen["state"] = {
            name: getattr(teachers, name).copy()
            for name in ("uid", "school", "home_school", "years_at_school", "employer")
        } | {
            "posting_end": teachers.posting_end.copy(),
            "title": teachers.title.copy(),
            "eff": model.teacher_effectiveness(),
        }
        seen["posts"] = staffing._posts()
        seen["args"] = (school, observed, open_posts, standing.copy(), area, floor)
        seen["titles"] = titles
        seen["answer"] = rule(school, observed, open_posts, standing, area, floor, **titles)
        return seen["answer"]

    monkeypatch.setattr(staffing_phase, "transfer_destinations", recorded)
    # every third teacher is away on a posting to the next school, every seventh in the
    # district's reservoir: neither may apply
    posting_end, school_now, employer = (
        teachers.posting_end.copy(),
        teachers.school.copy(),
        teachers.employer.copy(),
    )
    posting_end[::3] = YEAR + 1
    school_now[::3] = (teachers.home_school[::3] + 1) % len(table)
    employer[::7] = 1
    teachers.posting_end, teachers.school, teachers.employer = posting_end, school_now, employer
    staffing._exits_and_hires(YEAR)

    state, (school, observed, open_posts, standing, area, floor) = seen["state"], seen["args"]
    public = table.active & ~table.private
    # eligible: school-employed, at home, at an open public school, 3 years there
    eligible = (
        (state["employer"] == 0)
        & (state["posting_end"] < 0)
        & (state["school"] == state["home_school"])
        & public[state["home_school"]]
        & (state["years_at_school"] >= params.transfer_min_years_at_school)
    )
    draw = model.streams.uniform("teachers.transfer_apply", YEAR, state["uid"])
    applying = eligible & (draw < params.transfer_apply_share)
    assert applying.sum() > 0 and (eligible & ~applying).sum() > 0
    away = (state["posting_end"] >= 0) | (state["employer"] != 0)
    long_enough = state["years_at_school"] >= params.transfer_min_years_at_school
    assert (away & long_enough & (draw < params.transfer_apply_share)).any()
    np.testing.assert_array_equal(school, state["home_school"][applying])
    noise = model.streams.normal("teachers.transfer_observed", YEAR, state["uid"][applying])
    np.testing.assert_allclose(
        observed, state["eff"][applying] + params.transfer_observation_sd * noise
    )
    held = np.bincount(state["home_school"][state["employer"] == 0], minlength=len(table))
    np.testing.assert_array_equal(open_posts, np.maximum(0, seen["posts"] - held))
    np.testing.assert_allclose(floor, params.hire_reputation_slope * table.reputation)
    # a title is a post: senior applicants and each school's free senior posts
    titles = seen["titles"]
    np.testing.assert_array_equal(titles["senior"], state["title"][applying] == SENIOR)
    own = state["employer"] == 0
    held_senior = np.bincount(
        state["home_school"][own & (state["title"] == SENIOR)], minlength=len(table)
    )
    quota = np.floor(seen["posts"] * params.senior_title_share + 1e-9)  # no group, no core
    np.testing.assert_array_equal(titles["free_senior"], np.maximum(0, quota - held_senior))
    assert titles["senior"].any() and titles["free_senior"].any()
    assert (area[public] == table.district[public] * 2 + table.stage[public]).all()
    assert (area[~public] == -1).all()

    # the phase applies the answer: movers change home school and start a new term
    answer = seen["answer"]
    movers = state["uid"][applying][answer >= 0]
    assert movers.size > 0 and model.staff_flows[YEAR]["transferred"] == movers.size
    row = np.searchsorted(teachers.uid, movers)
    to = answer[answer >= 0]
    np.testing.assert_array_equal(teachers.home_school[row], to)
    np.testing.assert_array_equal(teachers.school[row], to)
    assert (teachers.years_at_school[row] == 0).all()
    origin = state["home_school"][applying][answer >= 0]
    assert (table.district[to] == table.district[origin]).all()
    assert (table.stage[to] == table.stage[origin]).all()
    assert (standing[to] > standing[origin]).all()
    # nobody else changed home school
    others = ~np.isin(state["uid"], movers) & np.isin(state["uid"], teachers.uid)
    row = np.searchsorted(teachers.uid, state["uid"][others])
    np.testing.assert_array_equal(teachers.home_school[row], state["home_school"][others])
    # hires fill what is left: every open public school holds at least its posts, and
    # none holds more than its posts unless it did before the moves
    after = np.bincount(teachers.home_school[teachers.employer == 0], minlength=len(table))
    posts = staffing._posts()
    assert (after[public] >= posts[public]).all()
    assert (after <= np.maximum(posts, held)).all()


def test_the_same_seed_makes_the_same_moves_and_share_0_makes_none(small_scenario):
    def moved(share: float) -> tuple[EduModel, np.ndarray]:
        model = _after_first_year(small_scenario, **{"teachers.transfer_apply_share": share})
        before = dict(
            zip(model.teachers.uid.tolist(), model.teachers.home_school.tolist(), strict=True)
        )
        _staffing(model)._exits_and_hires(YEAR)
        teachers = model.teachers
        old = np.array([uid in before for uid in teachers.uid.tolist()])
        was = np.array([before[uid] for uid in teachers.uid[old].tolist()])
        return model, teachers.uid[old][teachers.home_school[old] != was]

    first, moves = moved(0.5)
    second, again = moved(0.5)
    assert moves.size > 0
    np.testing.assert_array_equal(moves, again)
    np.testing.assert_array_equal(first.teachers.innate, second.teachers.innate)
    np.testing.assert_array_equal(first.teachers.home_school, second.teachers.home_school)
    off, none = moved(0.0)
    assert none.size == 0 and off.staff_flows[YEAR]["transferred"] == 0
