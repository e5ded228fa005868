"""The market for school access (学区房): dwelling stock, bids, and the clearing premium.

A catchment c holds `stock_c` dwellings (the district's dwellings in proportion to the
residential weight of c's cells). Each year `sale_turnover x stock_c` of them come up for
sale, of which those already used under a one-enrollment-per-dwelling rule give no place;
the rest, `offered_c`, are what entering families can buy access with. A buyer recovers
most of the premium p it pays when it resells; holding it costs, per yuan of premium,

    u = mortgage_rate x years_held + premium_transaction_share
        + dwelling_loss + min(1, rule_change_hazard x years_held) x (1 - dwelling_loss)

where `dwelling_loss` is the share of the premium a used flat loses at resale under the
dwelling rule (`used_flat_premium`). A family that values access to c at V (yuan, over
the stage) more than its present address, pays the fixed cost T of moving and, if it
owns its present flat, sells it at its own catchment's premium p_home, bids

    bid = p_home + (V - T) / u      (owners; renters bid without p_home)

and buys in c when its surplus u x (bid - p_c) is its best option.

School buyers compete for the flats on offer with buyers who have no child entering.
Those pay nothing for the school and have many other catchments to buy in, but not
infinitely many: as c's premium rises some of them buy elsewhere, leaving their flats to
school buyers. With `other_buyers_elasticity` e (the own-price elasticity of their demand
for c's flats), at a premium share p they give up e x p of the flats on offer, so school
buyers can obtain

    S_c(p) = min(offered_c, floor(e x offered_c x p / flat price))

flats: the k-th flat is theirs from the premium q_k = k x flat price / (e x offered_c)
(`supply_unit`). The premium p_c is the lowest price at which the school buyers who
want c are no more than S_c(p_c): the uniform price of an ascending auction against an
upward-sloping supply, max over k of min(d_k, q_k), where d_k is the k-th highest bid
(q_k is infinite beyond the flats on offer, so with no flat left to free, or e
infinite, it is the old (offered + 1)-th highest bid, or the reservation price when
fewer want c). So b school buyers lift an ordinary catchment's premium to about
b / (e x offered) of the flat's price, and every catchment some family values above its
alternative has a positive premium. `clear_market` finds these prices for all
catchments at once by ascending rounds: each round every family picks its best option
at the current prices, and every over-demanded catchment's price rises to that uniform
price over the drop-out prices of its buyers (the premium at which a buyer would rather
take its next-best option; sort-based, no loop over families). Prices only rise, so the
rounds end (they stop when the buyers beyond S_c are fewer than `EXCESS_TOLERANCE` of
the flats sold, or after `MAX_ROUNDS`); the S_c flats go to the buyers with the highest
drop-out prices. A premium never falls below the sellers' reservation, a share of last
year's (`seller_reservation`).

Buyers extrapolate (Glaeser & Nathanson 2017): they expect a share
`premium_extrapolation` (theta) of the premium's last yearly change d_c (yuan) to be
there again when they resell, and recover of it what the dwelling rule and a rule
change leave (`resale_recovery`, r), so buying in c is worth r x theta x d_c more, and an
owner selling its flat forgoes r x theta x d_home (`expected_resale_gain`). A rise in one
year lifts the next year's bids: yearly changes of a catchment's premium carry on
(momentum, Case & Shiller 1989) instead of reverting about a fresh draw of bidders each
year. The bids move by r x theta / u of d, which must stay below 1 or the extrapolation
feeds on itself (at the defaults about 0.6-0.7).

Renting is the cheaper, weaker route: a tenant pays a rent premium that passes on
`rent_premium_share` of the landlord's financing cost of the premium and ranks below
owners on the resident ladder; let flats come up at `rent_turnover` and go to the tenants
who gain most.

The entry of families into the market and the ascending rounds are compiled passes
(processes/housing_rounds.py, which also holds the rounds' constants).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

import numpy as np
from numba import njit

from edusim.grouped import rank_within
from edusim.processes.family_choice import address_values, address_values_reference
from edusim.processes.housing_rounds import (
    Entries,
    ascend_prices,
    entries_by_chunks,
    market_entries,
    market_entries_reference,
    school_buyers_supply,
)
from edusim.scenario.housing import HousingParams

STAY = -1
BUY, RENT = 0, 1


def premium_cny(
    premium_share: np.ndarray, base_price_cny_per_m2: np.ndarray, params: HousingParams
) -> np.ndarray:
    """Premium of a typical flat in yuan."""
    return premium_share * base_price_cny_per_m2 * params.flat_size_m2


def used_flat_premium(
    premium: np.ndarray | float, blocked_years: float, rule_years: int
) -> np.ndarray | float:
    """What a flat's premium is worth while the dwelling rule still blocks it for
    `blocked_years` of its `rule_years` window: it gives no place until the window ends,
    and is taken to lose the premium pro rata to the share of the window left (assumption).
    """
    if rule_years <= 0:
        return premium
    return premium * (1.0 - min(max(blocked_years, 0.0), rule_years) / rule_years)


def holding_cost_per_yuan(params: HousingParams, years_held: float, dwelling_rule_years: int):
    """Cost to a buyer of holding one yuan of premium for `years_held` (the stage) and
    reselling it: financing, transaction costs, the dwelling rule's cut at resale, and the
    expected loss if the catchment rule changes meanwhile."""
    blocked = max(0.0, dwelling_rule_years - years_held) if dwelling_rule_years > 0 else 0.0
    dwelling_loss = 1.0 - float(used_flat_premium(1.0, blocked, dwelling_rule_years))
    rule_change = min(1.0, params.rule_change_hazard * years_held)
    return (
        params.mortgage_rate * years_held
        + params.premium_transaction_share
        + dwelling_loss
        + rule_change * (1.0 - dwelling_loss)
    )


def tenant_cost_per_yuan(
    rent_premium_share: float, params: HousingParams, years_rented: float
) -> float:
    """Cost to a tenant of one yuan of catchment premium over `years_rented` (its stage):
    the rent the premium adds, `rent_premium_share` of the landlord's financing cost of
    it (`mortgage_rate` a year). What the market charges a renting bidder and what an
    entrant who rented for its place counts as paid (phases/satisfaction.py)."""
    return rent_premium_share * params.mortgage_rate * years_rented


def resale_recovery(params: HousingParams, years_held: float, dwelling_rule_years: int) -> float:
    """Share of a yuan of premium present at resale that a buyer expects to recover: what
    the dwelling rule's cut and a change of the catchment rule meanwhile leave (the same
    parts as `holding_cost_per_yuan`)."""
    blocked = max(0.0, dwelling_rule_years - years_held) if dwelling_rule_years > 0 else 0.0
    kept = float(used_flat_premium(1.0, blocked, dwelling_rule_years))
    return kept * (1.0 - min(1.0, params.rule_change_hazard * years_held))


def expected_resale_gain(
    last_change_cny: np.ndarray, recovery: float, params: HousingParams
) -> np.ndarray:
    """Per catchment, the yuan a buyer expects to gain at resale from the premium's last
    yearly change (`last_change_cny`) going on: recovery x `premium_extrapolation` x the
    change (negative after a fall)."""
    return recovery * params.premium_extrapolation * last_change_cny


def add_resale_gain(
    candidates: np.ndarray,
    value_buy: np.ndarray,
    home: np.ndarray,
    owner: np.ndarray,
    gain: np.ndarray,
    overwrite: bool = False,
) -> np.ndarray:
    """`value_buy` (families x candidates) plus the expected resale gain of each candidate
    catchment, less, for an owner, the gain it forgoes by selling its own flat. Options
    never worth a move (-inf) stay so. One compiled pass (`add_resale_gain_reference` is
    the whole-array definition). `overwrite`: the sums are written into `value_buy` itself
    (a float64 table the caller owns) and it is returned, instead of a new table."""
    value_buy = np.asarray(value_buy, np.float64)
    out = value_buy if overwrite else value_buy.copy()
    _add_resale_gain(
        np.asarray(candidates, np.int64), out, np.asarray(home, np.int64),
        np.asarray(owner, np.bool_), np.asarray(gain, np.float64),
    )  # fmt: skip
    return out


@njit(cache=True)
def _add_resale_gain(candidates, out, home, owner, gain):  # pragma: no cover - compiled
    n, width = candidates.shape
    for i in range(n):
        own = gain[home[i]] if owner[i] and home[i] >= 0 else 0.0
        for k in range(width):
            c = candidates[i, k]
            if c >= 0:
                out[i, k] += gain[c] - own  # -inf plus a finite gain stays -inf


def add_resale_gain_reference(
    candidates: np.ndarray,
    value_buy: np.ndarray,
    home: np.ndarray,
    owner: np.ndarray,
    gain: np.ndarray,
) -> np.ndarray:
    """`add_resale_gain` as whole-array numpy passes."""
    own = np.where(owner & (home >= 0), gain[np.maximum(home, 0)], 0.0)
    extra = np.where(candidates >= 0, gain[np.maximum(candidates, 0)] - own[:, None], 0.0)
    return value_buy + extra


def offered_flats(
    stock: np.ndarray, used_share: np.ndarray, params: HousingParams
) -> tuple[np.ndarray, np.ndarray]:
    """Flats for sale that give a place (used ones excluded) to this entering cohort, which
    shares a year's sales with the cohorts buying ahead (`purchase_window_years`), and let
    flats on offer, per catchment, in whole flats."""
    sale = np.floor(
        params.sale_turnover * stock * (1.0 - used_share) / params.purchase_window_years + 0.5
    )
    rent = np.floor(params.rent_turnover * (1.0 - params.owner_occupied_share) * stock + 0.5)
    return sale.astype(np.int64), rent.astype(np.int64)


def supply_unit(
    flat_price_cny: np.ndarray, offered: np.ndarray, params: HousingParams
) -> np.ndarray:
    """Per catchment, the premium (yuan) by which each further flat on offer passes from
    buyers without a child entering to school buyers: flat price / (e x offered), with e
    the other buyers' elasticity (`other_buyers_elasticity`); 0 where nothing is offered
    (no flat to free)."""
    scale = params.other_buyers_elasticity * np.maximum(offered, 1)
    return np.where(offered > 0, flat_price_cny / scale, 0.0)


@dataclass(frozen=True)
class Bidders:
    """Entering families facing the market: K candidate catchments each (-1 padded).

    `value_buy` / `value_rent` (families x K): yuan the family gains over the stage from
    the access an owner's / a tenant's address in the candidate gives it, over what its
    present address gives; `fixed_buy` / `fixed_rent`: yuan of moving costs besides the
    premium; `home`: present catchment; `owner`: owns its present flat (sells it at the
    home premium when it buys); `limit`: the largest extra premium it can finance."""

    candidates: np.ndarray
    value_buy: np.ndarray
    value_rent: np.ndarray
    fixed_buy: np.ndarray
    fixed_rent: np.ndarray
    home: np.ndarray
    owner: np.ndarray
    limit: np.ndarray


_ADD_RESALE_GAIN_IN_PLACE = partial(add_resale_gain, overwrite=True)
"""`add_resale_gain` into the value table itself (the table is the caller's own)."""


@dataclass(frozen=True)
class AddressBids:
    """Entering families facing the market, by what they weigh rather than as option
    tables (`address_entries` builds the tables a chunk of bidders at a time).

    Family i weighs the catchments of row `row_of[i]` of `considered` (-1 padded; one row
    per cell the families live in, `family_choice.address_candidates`); the value of
    each is `family_choice.address_values`' rule (its ladder class as an owner and as a
    tenant, the access tables, the share of let flats already used, its present access,
    its `worth` of a reputation SD, school specialties when `match_value` > 0), plus, where
    `resale_gain` (yuan per school) is given, the resale gain `add_resale_gain` adds.
    `fixed_buy`, `fixed_rent`, `home`, `owner` and `limit` are those of `Bidders`."""

    considered: np.ndarray
    row_of: np.ndarray
    as_owner: np.ndarray
    as_renter: np.ndarray
    own_access: np.ndarray
    access: np.ndarray
    used: np.ndarray
    current_own: np.ndarray
    current: np.ndarray
    worth: np.ndarray
    resale_gain: np.ndarray | None
    fixed_buy: np.ndarray
    fixed_rent: np.ndarray
    home: np.ndarray
    owner: np.ndarray
    limit: np.ndarray
    liked: np.ndarray | None = None
    offered: np.ndarray | None = None
    match_value: float = 0.0
    current_match: np.ndarray | None = None

    def tables(
        self,
        values: Callable[..., tuple[np.ndarray, np.ndarray, np.ndarray]] = address_values,
        resale: Callable[..., np.ndarray] = _ADD_RESALE_GAIN_IN_PLACE,
        rows: slice | None = None,
    ) -> Bidders:
        """The bidders (those of `rows`, default all) with their option tables (families x
        options), built by `values` and `resale` (the kernels, the resale gain added in
        place to the table `values` made, or their references)."""
        rows = slice(None) if rows is None else rows
        liked = None if self.liked is None else self.liked[rows]
        current_match = None if self.current_match is None else self.current_match[rows]
        home, owner = self.home[rows], self.owner[rows]
        candidates, value_buy, value_rent = values(
            self.considered, self.row_of[rows], self.as_owner[rows], self.as_renter[rows],
            self.own_access, self.access, self.used, self.current_own[rows],
            self.current[rows], self.worth[rows], liked, self.offered, self.match_value,
            current_match,
        )  # fmt: skip
        if self.resale_gain is not None:
            value_buy = resale(candidates, value_buy, home, owner, self.resale_gain)
        return Bidders(
            candidates, value_buy, value_rent, self.fixed_buy[rows], self.fixed_rent[rows],
            home, owner, self.limit[rows],
        )  # fmt: skip


ENTRY_CHUNK_BIDDERS = 65_536
"""Bidders whose option tables `address_entries` builds at once (at about 13 options of
24 bytes each, about 20 MB of tables). A Hangzhou market (about 30,000-52,000 bidders)
is one chunk; at eight times Hangzhou (about 400,000-500,000) the whole tables were
about 150 MiB, alive beside the entries at the year's peak (docs/scale.md)."""


def address_entries(
    bids: AddressBids,
    cost_per_yuan: np.ndarray,
    rent_cost_per_yuan: np.ndarray,
    chunk_rows: int = ENTRY_CHUNK_BIDDERS,
) -> Entries:
    """`market_entries` of `bids.tables()`, the tables built `chunk_rows` bidders at a
    time (`housing_rounds.entries_by_chunks`): the same entries, without the whole
    families x options tables."""
    return entries_by_chunks(
        lambda rows: bids.tables(rows=rows),
        bids.row_of.size,
        chunk_rows,
        bids,
        cost_per_yuan,
        rent_cost_per_yuan,
    )


def address_entries_reference(
    bids: AddressBids, cost_per_yuan: np.ndarray, rent_cost_per_yuan: np.ndarray
) -> Entries:
    """`address_entries` the way it was done before: the whole option tables by the
    array references, then `market_entries_reference`."""
    bidders = bids.tables(address_values_reference, add_resale_gain_reference)
    return market_entries_reference(bidders, cost_per_yuan, rent_cost_per_yuan)


@dataclass(frozen=True)
class Clearing:
    """Outcome of one clearing: premiums (yuan per flat, per school), each family's target
    catchment (-1: stays) and tenure, and the rounds the prices took to settle."""

    premium_cny: np.ndarray
    target: np.ndarray
    tenure: np.ndarray
    rounds: int


def clear_market(
    bidders: Bidders,
    cost_per_yuan: np.ndarray,
    rent_cost_per_yuan: np.ndarray,
    offered_sale: np.ndarray,
    offered_rent: np.ndarray,
    reservation: np.ndarray,
    flat_price_cny: np.ndarray,
    unit: np.ndarray | None = None,
) -> Clearing:
    """Premiums at which school buyers equal the flats they can obtain in every catchment
    at once, and who buys or rents where. `cost_per_yuan` / `rent_cost_per_yuan` per
    school: a buyer's holding cost of a yuan of premium, a tenant's rent on it over the
    stage; `flat_price_cny` per school sets the price step; `unit` per school the premium
    that frees each further flat on offer from other buyers (`supply_unit`; None or 0:
    other buyers leave at any premium, so school buyers can have every flat on offer).
    The families' options worth their fixed costs (`market_entries`), then the clearing
    of those (`clear_entries`)."""
    entries = market_entries(bidders, cost_per_yuan, rent_cost_per_yuan)
    return clear_entries(
        entries,
        bidders.candidates.shape[0],
        offered_sale,
        offered_rent,
        reservation,
        flat_price_cny,
        unit,
    )


def clear_entries(
    entries: Entries,
    n_families: int,
    offered_sale: np.ndarray,
    offered_rent: np.ndarray,
    reservation: np.ndarray,
    flat_price_cny: np.ndarray,
    unit: np.ndarray | None = None,
) -> Clearing:
    """`clear_market` from the bidders' entries (`market_entries`; `n_families` bidders):
    a caller that builds the entries itself can let the bidders' option tables go before
    the rounds (phases/housing_market.py does, for memory)."""
    unit = np.zeros(offered_sale.size) if unit is None else unit
    price, target, dropout, choice, top, rounds = ascend_prices(
        entries, reservation, offered_sale, unit, flat_price_cny
    )
    active = entries.active
    # the flats school buyers obtain go to those with the highest drop-out prices
    keep = _top_per_catchment(target, dropout, school_buyers_supply(price, offered_sale, unit))
    renting = choice >= 0
    rent_target = np.where(renting, choice, STAY)
    rent_keep = _top_per_catchment(rent_target, np.where(renting, top, -np.inf), offered_rent)
    final = np.full(n_families, STAY, dtype=np.int64)
    final[active] = np.where(keep, target, np.where(rent_keep, rent_target, STAY))
    tenure = np.full(n_families, RENT, dtype=np.int64)
    tenure[active] = np.where(keep, BUY, RENT)
    return Clearing(price, final, tenure, rounds)


def _top_per_catchment(target: np.ndarray, score: np.ndarray, places: np.ndarray) -> np.ndarray:
    """Whether each family is among the `places[target]` highest `score`s of its target."""
    keep = np.zeros(target.size, dtype=bool)
    rows = np.flatnonzero(target >= 0)
    catchment = target[rows]
    keep[rows[rank_within(catchment, score[rows]) < places[catchment]]] = True
    return keep


def seller_reservation(previous_cny: np.ndarray, params: HousingParams) -> np.ndarray:
    """Sellers' reservation premium: owners do not sell for less than `1 - adjust_speed` of
    last year's premium, so a premium falls by at most that share in a year (prices are
    sticky downward: sellers hold out and withdraw their flats rather than sell at a loss)."""
    return (1.0 - params.adjust_speed) * previous_cny
