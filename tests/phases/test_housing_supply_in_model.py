"""New dwellings inside a run: built only where access carries a premium, more where
land is ample, on sale the next year, and lowering the premiums they answer."""

from __future__ import annotations

import numpy as np

from edusim.model import EduModel
from edusim.phases.intake import Intake
from edusim.processes.housing import offered_flats
from edusim.processes.housing_supply import cell_premium_share, new_dwellings

NO_SUPPLY = {
    "housing.supply_elasticity_urban": 0.0,
    "housing.supply_elasticity_suburban": 0.0,
    "housing.supply_elasticity_rural": 0.0,
}


def _intake(model: EduModel) -> Intake:
    return next(phase for phase in model.phases if isinstance(phase, Intake))


def test_without_elasticity_the_stock_stays_as_built(demo_path):
    model = EduModel(demo_path, seed=4, years=3, overrides=NO_SUPPLY)
    model.run_model()
    np.testing.assert_array_equal(model.dwellings, model.dwellings_as_built)
    assert model.dwellings_built.sum() == 0.0


def test_dwellings_are_built_only_where_access_carries_a_premium(demo_path):
    model = EduModel(demo_path, seed=4, years=2)
    before = model.dwellings.copy()
    model.step()
    built = model.dwellings - before
    premium = cell_premium_share(model.catchments.cell_school, model.school_table.premium_share)
    assert (built >= 0).all()
    assert built.sum() > 0
    assert (built[premium == 0] == 0).all()
    np.testing.assert_allclose(built, model.dwellings_built, rtol=1e-9, atol=1e-9)
    # the catchments' stock is the cells' dwellings summed
    intake = _intake(model)
    for stage in (0, 1):
        has = model.catchments.cell_school[stage] >= 0
        assert np.isclose(intake.stock[stage].sum(), model.dwellings[has].sum())


def test_the_city_starts_with_its_stock_in_equilibrium(demo_path):
    """The burn-in settles the stock toward the long-run stock at its premiums and puts
    nothing on sale as new; developers then answer only premiums above those the run
    starts with (with the long-run stock measured from a zero premium inside the run,
    the burn-in's premiums set off building whose flow then died away over a decade)."""
    model = EduModel(demo_path, seed=4, years=2)
    np.testing.assert_array_equal(model.dwellings, model.dwellings_as_built)
    assert model.dwellings_built.sum() == 0.0
    start = cell_premium_share(model.catchments.cell_school, model.school_table.premium_share)
    np.testing.assert_array_equal(model.premium_at_start, start)
    assert start.max() > 0
    model.step()
    premium = cell_premium_share(model.catchments.cell_school, model.school_table.premium_share)
    built = model.dwellings_built
    assert (built[premium <= start] == 0).all()


def test_the_burn_in_settles_the_stock_where_access_sells_dear(demo_path):
    """The stock as built is the synthesised stock grown where the burn-in's premiums
    are high, and the more the higher the premium (rank correlation over cells with
    dwellings); the synthesised stock is kept apart; with no burn-in or no supply the
    city starts with the synthesised stock."""
    model = EduModel(demo_path, seed=4, years=2)
    synthesised, settled = model.dwellings_synthesised, model.dwellings_as_built
    has = synthesised > 0
    assert (settled[has] >= synthesised[has] * (1 - 1e-12)).all()
    assert settled.sum() > synthesised.sum() * 1.01
    growth = np.log(settled[has] / synthesised[has])
    premium = model.premium_at_start[has]
    assert np.corrcoef(np.argsort(np.argsort(growth)), np.argsort(np.argsort(premium)))[0, 1] > 0.5
    for overrides in ({"housing.burn_in_years": 0}, NO_SUPPLY):
        other = EduModel(demo_path, seed=4, years=2, overrides=overrides)
        np.testing.assert_array_equal(other.dwellings_as_built, other.dwellings_synthesised)


def test_the_settled_stock_lowers_the_starting_premiums(demo_path):
    """Paired seeds: the dearest tenth of catchments starts at a lower premium when the
    burn-in's supply answers the premiums than when the stock stays as synthesised."""
    for seed in (1, 2):
        top = {}
        for name, overrides in (("supply", {}), ("fixed", NO_SUPPLY)):
            model = EduModel(demo_path, seed=seed, years=1, overrides=overrides)
            table = model.school_table
            share = np.sort(table.premium_share[table.active & ~table.private])
            top[name] = share[-max(1, share.size // 10) :].mean()
        assert top["supply"] < top["fixed"]


def test_developers_build_against_the_premium_they_expect(demo_path):
    """The first year's building answers the developers' expectation, a third of the way
    (`developer_expectation_years` 3) from the starting premiums to the year's: the
    same stock step as with myopic developers facing that expected premium."""
    model = EduModel(demo_path, seed=4, years=2)
    start, before = model.premium_at_start.copy(), model.dwellings.copy()
    model.step()
    premium = cell_premium_share(model.catchments.cell_school, model.school_table.premium_share)
    expected = start + (premium - start) / 3.0
    np.testing.assert_allclose(model.developers_premium, expected, rtol=1e-12)
    housing = model.params.housing
    elasticity = np.array(
        [
            housing.supply_elasticity_urban,
            housing.supply_elasticity_suburban,
            housing.supply_elasticity_rural,
        ]
    )[model.geography.district_kind[model.geography.cell_district]]
    built = new_dwellings(
        before,
        model.dwellings_as_built,
        expected,
        elasticity,
        housing.construction_speed,
        start,
    )
    assert built.sum() > 0
    np.testing.assert_allclose(model.dwellings_built, built, rtol=1e-12)


def test_last_years_new_flats_are_on_offer(demo_path):
    """The flats on offer this year are the resales plus this cohort's share of the
    flats built last year, as the market reports them (the second year's: the burn-in
    builds nothing)."""
    model = EduModel(demo_path, seed=4, years=3)
    model.step()
    intake = _intake(model)
    table, housing = model.school_table, model.params.housing
    expected = {}
    for stage in (0, 1):
        in_stage = (table.stage == stage) & ~table.private & table.active
        resale, _ = offered_flats(intake.stock[stage], model.dwelling_used_share(stage), housing)
        new = np.floor(intake._new(stage) / housing.purchase_window_years + 0.5)
        assert new[in_stage].sum() > 0
        expected[stage] = int((resale + new.astype(np.int64))[in_stage].sum())
    model.step()
    for stage in (0, 1):
        assert model.intake[stage]["flats_offered"] == expected[stage]


def _top_tenth(model: EduModel) -> float:
    """The last year's premium share of the dearest tenth of catchments."""
    table = model.tables()["metrics"]
    rows = table[table.metric == "premium_top_decile_share"]
    return float(rows[rows.year == rows.year.max()].value.iloc[0])


def test_supply_lowers_the_dearest_premiums_and_most_where_land_is_ample(demo_path):
    """Paired seeds, premiums that all rise above those the stock is in equilibrium with
    (the starting premiums put to 0, as if the city had been built before its schools
    differed): with supply the dearest tenth of catchments carries a lower premium than
    with the stock fixed, and rural catchments (elasticity 5.6) lose a larger share of
    their premium than urban ones (0.5)."""
    for seed in (1, 2):
        runs = {}
        for name, overrides in (("supply", {}), ("fixed", NO_SUPPLY)):
            model = EduModel(demo_path, seed=seed, years=4, overrides=overrides)
            model.premium_at_start = np.zeros_like(model.premium_at_start)
            model.run_model()
            runs[name] = model
        supply, fixed = runs["supply"], runs["fixed"]
        assert _top_tenth(supply) < _top_tenth(fixed)
        table = supply.school_table
        kind = supply.geography.district_kind[table.district]
        public = ~table.private & table.active
        kept = {}
        for code in (0, 2):  # urban, rural
            where = public & (kind == code)
            kept[code] = (
                supply.school_table.premium_share[where].sum()
                / fixed.school_table.premium_share[where].sum()
            )
        assert kept[2] < kept[0]
