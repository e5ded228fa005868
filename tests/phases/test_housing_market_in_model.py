"""The housing market inside a run: no more buyers than flats on offer in any catchment,
every family kept, premiums finite and non-negative, the burn-in reporting nothing."""

from __future__ import annotations

import numpy as np

from edusim.model import EduModel
from edusim.phases.housing_market import _cells_of
from edusim.phases.intake import BURN_IN_COLUMNS, Intake
from edusim.processes.housing import offered_flats
from edusim.world.schools import FIRST_GRADE


def test_buyers_fit_the_flats_on_offer_and_no_family_is_lost(demo_path):
    model = EduModel(demo_path, seed=3, years=2)
    intake = next(phase for phase in model.phases if isinstance(phase, Intake))
    staying = set(model.families.uid[model.families.grade < 9].tolist())
    # the stock and the flats built before the start (in the burn-in) that go on sale now
    stock = {stage: intake.stock[stage].copy() for stage in (0, 1)}
    new = {stage: intake._new(stage) for stage in (0, 1)}
    model.step()
    families, table = model.families, model.school_table
    assert staying <= set(families.uid.tolist())  # nobody but grade 9 leaves
    for stage in (0, 1):
        entrants = families.grade == FIRST_GRADE[stage]
        assert (families.school[entrants] >= 0).all()  # everyone is seated
        buyers = entrants & families.moved_for_school & families.owner
        bought = np.bincount(
            model.catchments.catchment_of(families.cell[buyers], stage), minlength=len(table)
        )
        offered, _ = offered_flats(
            stock[stage], model.dwelling_used_share(stage), model.params.housing
        )
        # plus this cohort's share of the flats built last year (none are used flats)
        cohort_new = new[stage] / model.params.housing.purchase_window_years
        offered = offered + np.floor(cohort_new + 0.5).astype(np.int64)
        assert (bought <= offered).all()
        assert model.intake[stage]["buyers"] == int(buyers.sum())
    premium = table.premium_share
    assert np.isfinite(premium).all() and (premium >= 0).all()
    assert (premium[table.private] == 0).all()


def test_the_burn_in_leaves_no_trace_but_premiums_and_expectations(demo_path):
    warm = EduModel(demo_path, seed=3, years=2)
    cold = EduModel(demo_path, seed=3, years=2, overrides={"housing.burn_in_years": 0})
    # the same families, classes and event log as built
    np.testing.assert_array_equal(warm.families.uid, cold.families.uid)
    for name in BURN_IN_COLUMNS:  # what the burn-in changes and puts back
        assert getattr(warm.families, name).tobytes() == getattr(cold.families, name).tobytes()
    np.testing.assert_array_equal(
        warm.school_table.classes_per_grade, cold.school_table.classes_per_grade
    )
    assert warm.tables()["events"].shape == cold.tables()["events"].shape
    assert warm.families.next_uid == cold.families.next_uid
    # but the market has priced access and families have learnt what addresses give
    assert warm.school_table.premium_share.max() > 0
    assert not np.array_equal(warm.access_reputation[0], cold.access_reputation[0])


def test_other_buyers_leaving_give_ordinary_catchments_a_premium(demo_path):
    """With other buyers who leave a catchment as its premium rises, the catchments that
    some families want carry a premium even where the flats on offer outnumber them, so
    the median catchment's premium is positive; when other buyers leave at any premium
    (a very large elasticity) those catchments go back to none."""

    def median_premium(elasticity: float) -> float:
        model = EduModel(
            demo_path,
            seed=3,
            years=2,
            overrides={"housing.other_buyers_elasticity": elasticity},
        )
        model.step()
        table = model.school_table
        return float(np.median(table.premium_share[~table.private & table.active]))

    assert median_premium(5.0) > 0.001
    assert median_premium(1000.0) < median_premium(5.0) / 10


def test_cells_by_counting_equal_np_unique():
    rng = np.random.default_rng(5)
    for size in (0, 1, 50, 1000):
        cell = rng.integers(0, 300, size).astype(np.int32)
        cells, row = _cells_of(cell, 300)
        expected, inverse = np.unique(cell, return_inverse=True)
        assert cells.tolist() == expected.tolist() and row.tolist() == inverse.tolist()


def test_the_burn_in_rehearses_the_first_intake_with_those_who_enter_it(demo_path, monkeypatch):
    """The junior market is rehearsed with the grade-6 pupils as built (the first junior
    intake's entrants, a cohort the size of a primary grade), not with the grade-7 pupils
    as built (a junior grade, smaller in the demo city: 3,367 against 3,600), and only
    with those the private intake leaves to public schools; the primary market with the
    first reported year's newcomers themselves (the same ids and addresses), not with the
    grade-1 pupils as built, who settled by the scenario's guessed premiums."""
    import edusim.phases.intake as intake_module

    seen: list[tuple[int, np.ndarray, np.ndarray, np.ndarray]] = []
    market = intake_module.housing_moves

    def recording(model, year, stage, entrants, stock, new_flats=None):
        families = model.families
        seen.append(
            (
                stage,
                families.grade[entrants].copy(),
                families.uid[entrants].copy(),
                families.cell[entrants].copy(),
            )
        )
        return market(model, year, stage, entrants, stock, new_flats)

    monkeypatch.setattr(intake_module, "housing_moves", recording)
    model = EduModel(demo_path, seed=3, years=1, overrides={"housing.burn_in_years": 2})
    assert [stage for stage, *_ in seen] == [0, 1, 0, 1]
    families, table = model.families, model.school_table
    as_built = families.uid.max()
    junior_private = table.private & (table.stage == 1)
    for stage, grades, uids, _ in seen:
        if stage == 0:  # newcomers: ids after the city's, gone again after the burn-in
            assert (grades == FIRST_GRADE[0]).all() and (uids > as_built).all()
            continue
        assert (grades == FIRST_GRADE[1] - 1).all()
        cohort = int((families.grade == FIRST_GRADE[1] - 1).sum())
        assert cohort - table.entry_capacity[junior_private].sum() <= grades.size < cohort
    assert (families.grade == FIRST_GRADE[1] - 1).sum() > (families.grade == FIRST_GRADE[1]).sum()
    model.step()
    rehearsed = [(uids, cells) for stage, _, uids, cells in seen[:4] if stage == 0]
    first_intake = [(uids, cells) for stage, _, uids, cells in seen[4:] if stage == 0]
    for uids, cells in rehearsed:  # the year's public newcomers, from the same addresses
        reported_uids, reported_cells = first_intake[0]
        common, here, there = np.intersect1d(uids, reported_uids, return_indices=True)
        assert common.size > 0.9 * max(uids.size, reported_uids.size)
        np.testing.assert_array_equal(cells[here], reported_cells[there])


def test_buyers_extrapolate_only_changes_they_have_seen(demo_path):
    """No premium has changed before the first reported intake, so extrapolating buyers
    clear it as others do; from the next intake on, last year's changes move the bids."""
    runs = {}
    for theta in (0.0, 0.5):
        model = EduModel(
            demo_path, seed=2, years=3, overrides={"housing.premium_extrapolation": theta}
        )
        model.step()
        first = model.school_table.premium_share.copy()
        assert not model.premium_change.any()  # nothing changed before the first intake
        model.step()
        assert model.premium_change.any()  # the second intake's buyers read the first's
        runs[theta] = (first, model.school_table.premium_share.copy())
    np.testing.assert_array_equal(runs[0.0][0], runs[0.5][0])
    assert not np.array_equal(runs[0.0][1], runs[0.5][1])


def test_giving_freed_memory_back_in_every_market_changes_no_value(demo_path, monkeypatch):
    """Large markets return their freed temporaries to the system before the rounds
    (`GIVE_BACK_ABOVE_BIDDERS`, met only by cities several times Hangzhou); doing it in
    every market of the demo city, burn-in included, leaves every family and premium as
    it was."""
    import edusim.phases.housing_market as housing_market

    calls = []

    def counted() -> None:
        calls.append(1)
        trimmed()

    trimmed = housing_market.give_back_freed_memory
    plain = EduModel(demo_path, seed=3, years=1)
    plain.step()
    monkeypatch.setattr(housing_market, "GIVE_BACK_ABOVE_BIDDERS", 0)
    monkeypatch.setattr(housing_market, "give_back_freed_memory", counted)
    freed = EduModel(demo_path, seed=3, years=1)
    freed.step()
    assert len(calls) >= 4  # one per market: the burn-in's and the year's
    for name in ("uid", "cell", "owner", "school", "income_cny", "moved_for_school"):
        assert getattr(freed.families, name).tobytes() == getattr(plain.families, name).tobytes()
    assert freed.school_table.premium_share.tobytes() == plain.school_table.premium_share.tobytes()
