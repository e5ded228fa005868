"""The compiled passes of the housing market's clearing (processes/housing.py).

`market_entries` turns the bidders' option tables into the rows the rounds visit (the
families with an option worth its fixed cost, those options moved to the front);
`entries_by_chunks` does the same with the tables built a chunk of bidders at a time (the
housing phase's path, `housing.address_entries`, for memory);
`ascend_prices` runs the ascending rounds themselves; each is one numba kernel (cached)
in place of a dozen whole-array numpy passes with families x options temporaries per
round. Each keeps its numpy definition (`*_reference`, the code it replaced), compared
number for number in tests/processes/test_housing_rounds.py and, over whole demo years,
in tests/test_kernels_match_reference.py.

The rules (bids, drop-out prices, the uniform price against the upward-sloping supply,
the stopping rule) are documented in processes/housing.py; nothing here changes them.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from numba import njit

from edusim.grouped import rank_within

MAX_ROUNDS = 60
"""Upper bound on the ascending rounds of one clearing."""
EXCESS_TOLERANCE = 0.005
"""The rounds stop once the buyers beyond the flats on offer, summed over catchments, are
at most this share of the flats sold; those few are left out by drop-out price."""
MIN_COST_PER_YUAN = 1e-6
"""Floor on the holding cost of a yuan of premium (all its parts may be set to 0)."""
PRICE_STEP_SHARE = 0.001
PRICE_STEP_RELATIVE = 0.02
"""A clearing price stands above the highest losing drop-out price by 0.1% of the flat's
base price or 2% of the premium, whichever is more, so the marginal family strictly
prefers its next-best option and the rounds do not creep up in tiny steps (the premium's
resolution)."""
SUPPLY_ROUNDING = 1e-9
"""Slack on the count of flats freed at a price, so that the price k x unit frees k flats
despite rounding in the division."""


@dataclass(frozen=True)
class Entries:
    """The families that enter the market (`active`, rows of the bidders) and, per family,
    its options worth a fixed cost at the front of its row (-1 / -inf / False padded):
    candidate catchment (int32), bid before its home sale (`base_bid`, capped at the
    family's limit; -inf where it would not buy), whether it would rent there and the
    value of renting; per catchment (read at each option's catchment, a padding at
    catchment 0), the holding cost per yuan `u` (floored at `MIN_COST_PER_YUAN`) and the
    rent per yuan of premium `rent_rate`; and per family its fixed cost of renting,
    limit, ownership and home catchment.

    The two rates are per catchment because they are: stored per option they took two of
    the six option tables, about 90 MiB at the first market of a city eight times
    Hangzhou's size (docs/scale.md)."""

    active: np.ndarray
    candidates: np.ndarray
    base_bid: np.ndarray
    u: np.ndarray
    can_rent: np.ndarray
    value_rent: np.ndarray
    rent_rate: np.ndarray
    fixed_rent: np.ndarray
    limit: np.ndarray
    owner: np.ndarray
    home: np.ndarray


def market_entries(bidders, cost_per_yuan: np.ndarray, rent_cost_per_yuan: np.ndarray) -> Entries:
    """Only families with some option worth its fixed cost enter, and they weigh only
    those options: an option worth less than its fixed cost never beats staying, so the
    outcome is the same and the rounds visit fewer entries. Two compiled passes over the
    bidders (count, then fill); no families x options temporary."""
    n = bidders.candidates.shape[0]
    return entries_by_chunks(
        lambda rows: bidders,
        n,
        max(n, 1),
        bidders,
        cost_per_yuan,
        rent_cost_per_yuan,
    )


def entries_by_chunks(
    tables_of: Callable[[slice], Any],
    n: int,
    chunk_rows: int,
    bidders: Any,
    cost_per_yuan: np.ndarray,
    rent_cost_per_yuan: np.ndarray,
) -> Entries:
    """`market_entries` of `n` bidders whose option tables are built `chunk_rows` bidders
    at a time (`tables_of(rows)`: the bidders of those rows with their candidates and
    value tables), so that only one chunk's tables are alive beside the entries. Each
    chunk's tables are built twice, once to count the entries, once to fill them, unless
    there is one chunk only. The families' own columns (`fixed_rent`, `limit`, `owner`,
    `home`) are read from `bidders` for all `n`. Rows are independent, so the entries
    are those of the whole tables at once, value for value."""
    starts = range(0, n, chunk_rows) if n else range(0, 1)
    chunks = [slice(start, min(start + chunk_rows, n)) for start in starts]
    actives, width, kept_tables = [], 0, None
    for rows in chunks:
        tables = tables_of(rows)
        active, chunk_width = _count_entries(
            tables.candidates,
            tables.value_buy,
            tables.value_rent,
            tables.fixed_buy,
            tables.fixed_rent,
            tables.home,
        )
        actives.append(active + rows.start)
        width = max(width, chunk_width)
        kept_tables = tables if len(chunks) == 1 else None
        del tables
    active = np.concatenate(actives)
    width = max(width, 1)
    u = np.maximum(cost_per_yuan.astype(np.float64), MIN_COST_PER_YUAN)
    kept = np.full((active.size, width), -1, dtype=np.int32)
    base_bid = np.full((active.size, width), -np.inf)
    can_rent = np.zeros((active.size, width), dtype=np.bool_)
    kept_rent = np.full((active.size, width), -np.inf)
    at = 0
    for rows, chunk_active in zip(chunks, actives, strict=True):
        tables = kept_tables if kept_tables is not None else tables_of(rows)
        end = at + chunk_active.size
        _fill_entries(
            chunk_active - rows.start, tables.candidates, tables.value_buy, tables.value_rent,
            tables.fixed_buy, tables.fixed_rent, tables.home, tables.limit, u,
            kept[at:end], base_bid[at:end], can_rent[at:end], kept_rent[at:end],
        )  # fmt: skip
        at = end
        del tables
    return Entries(
        active,
        kept,
        base_bid,
        u,
        can_rent,
        kept_rent,
        rent_cost_per_yuan.astype(np.float64),
        bidders.fixed_rent[active],
        bidders.limit[active],
        bidders.owner[active],
        bidders.home[active],
    )


@njit(cache=True)
def _count_entries(
    candidates, value_buy, value_rent, fixed_buy, fixed_rent, home
):  # pragma: no cover - compiled  # fmt: skip
    n, k_max = candidates.shape
    active = np.empty(n, dtype=np.int64)
    n_active, width = 0, 0
    for i in range(n):
        count = 0
        for k in range(k_max):
            c = candidates[i, k]
            if c < 0 or c == home[i]:
                continue
            if value_buy[i, k] > fixed_buy[i] or value_rent[i, k] > fixed_rent[i]:
                count += 1
        if count > 0:
            active[n_active] = i
            n_active += 1
            width = max(width, count)
    return active[:n_active].copy(), width


@njit(cache=True)
def _fill_entries(
    active, candidates, value_buy, value_rent, fixed_buy, fixed_rent, home, limit, u,
    kept, base_bid, can_rent, kept_rent,
):  # pragma: no cover - compiled  # fmt: skip
    """Write the options of the `active` rows into `kept`, `base_bid`, `can_rent` and
    `kept_rent` (filled with their padding by the caller), row j for active[j]."""
    for j in range(active.size):
        i = active[j]
        at = 0
        for k in range(candidates.shape[1]):
            c = candidates[i, k]
            if c < 0 or c == home[i]:
                continue
            buys = value_buy[i, k] > fixed_buy[i]
            rents = value_rent[i, k] > fixed_rent[i]
            if not (buys or rents):
                continue
            kept[j, at] = c
            if buys:
                base_bid[j, at] = min((value_buy[i, k] - fixed_buy[i]) / u[c], limit[i])
            can_rent[j, at] = rents
            kept_rent[j, at] = value_rent[i, k]
            at += 1


def market_entries_reference(
    bidders, cost_per_yuan: np.ndarray, rent_cost_per_yuan: np.ndarray
) -> Entries:
    """`market_entries` as whole-array passes: flags, a stable argsort of each row's flags
    to front the wanted options, and the bids from the fronted values."""
    valid = (bidders.candidates >= 0) & (bidders.candidates != bidders.home[:, None])
    wants_buy = valid & (bidders.value_buy > bidders.fixed_buy[:, None])
    wants_rent = valid & (bidders.value_rent > bidders.fixed_rent[:, None])
    wanted = wants_buy | wants_rent
    active = np.flatnonzero(wanted.any(axis=1))
    order = np.argsort(~wanted[active], axis=1, kind="stable")
    order = order[:, : max(int(wanted[active].sum(axis=1).max(initial=0)), 1)]

    def front(columns: np.ndarray) -> np.ndarray:
        return np.take_along_axis(columns[active], order, axis=1)

    kept = front(wanted)
    candidates = np.where(kept, front(bidders.candidates), -1).astype(np.int32)
    value_buy = np.where(kept, front(bidders.value_buy), -np.inf)
    buys = front(wants_buy) & kept
    u = np.maximum(cost_per_yuan.astype(np.float64), MIN_COST_PER_YUAN)
    base_bid = np.where(
        buys, (value_buy - bidders.fixed_buy[active, None]) / u[np.maximum(candidates, 0)], -np.inf
    )
    base_bid = np.minimum(base_bid, bidders.limit[active, None])
    return Entries(
        active,
        candidates,
        base_bid,
        u,
        front(wants_rent) & kept,
        np.where(kept, front(bidders.value_rent), -np.inf),
        rent_cost_per_yuan.astype(np.float64),
        bidders.fixed_rent[active],
        bidders.limit[active],
        bidders.owner[active],
        bidders.home[active],
    )


def ascend_prices(
    entries: Entries,
    reservation: np.ndarray,
    offered: np.ndarray,
    unit: np.ndarray,
    flat_price_cny: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, int]:
    """The ascending rounds, compiled: each round re-prices the families whose options'
    prices changed, counts demand against the flats school buyers can obtain, and raises
    every over-demanded catchment's price to the uniform price over its buyers' drop-out
    prices. Returns the prices, each family's buy target, drop-out price, rent choice and
    best surplus, and the rounds taken (`ascend_prices_reference` is the numpy loop)."""
    e = entries
    return _ascend(
        e.candidates, e.base_bid, e.u, e.can_rent, e.value_rent, e.rent_rate, e.fixed_rent,
        e.limit, e.owner, e.home, reservation.astype(np.float64), offered.astype(np.int64),
        unit.astype(np.float64), flat_price_cny.astype(np.float64), MAX_ROUNDS,
        EXCESS_TOLERANCE, PRICE_STEP_SHARE, PRICE_STEP_RELATIVE, SUPPLY_ROUNDING,
    )  # fmt: skip


@njit(cache=True)
def _supply(price, offered, unit, rounding):  # pragma: no cover - compiled
    if unit <= 0:
        return offered
    freed = math.floor(price / unit + rounding)
    if freed < 0:
        return 0
    if freed > offered:
        return offered
    return int(freed)


@njit(cache=True)
def _ascend(
    candidates, base_bid, u, can_rent, value_rent, rent_rate, fixed_rent, limit, owner, home,
    reservation, offered, unit, flat_price, max_rounds, tolerance, step_share, step_relative,
    rounding,
):  # pragma: no cover - compiled  # fmt: skip
    n, m = candidates.shape[0], reservation.size
    price = reservation.copy()
    target = np.full(n, -1, dtype=np.int64)
    choice = np.full(n, -1, dtype=np.int64)
    dropout = np.full(n, -np.inf)
    top = np.zeros(n)
    changed = np.ones(m, dtype=np.bool_)  # the first round prices every family
    demand = np.zeros(m, dtype=np.int64)
    start = np.zeros(m + 1, dtype=np.int64)
    bids = np.empty(n)
    second = np.zeros(n)  # each family's second-best surplus
    before = price.copy()  # the prices of the round before
    entry_start, entry_family, owner_start, owner_family = _families_by_catchment(
        candidates, owner, home, m
    )
    flagged = np.zeros(n, dtype=np.bool_)
    rounds = 0
    while True:
        rounds += 1
        if rounds > 1:  # flag the families with an option or a home whose price changed
            for c in range(m):
                if changed[c]:
                    for j in range(entry_start[c], entry_start[c + 1]):
                        flagged[entry_family[j]] = True
                    for j in range(owner_start[c], owner_start[c + 1]):
                        flagged[owner_family[j]] = True
        _reprice(
            candidates, base_bid, u, can_rent, value_rent, rent_rate, fixed_rent, limit,
            owner, home, price, before, changed, rounds == 1, target, dropout, choice, top,
            second, flagged,
        )  # fmt: skip
        demand[:] = 0
        for i in range(n):
            if target[i] >= 0:
                demand[target[i]] += 1
        excess, matched = 0, 0
        for c in range(m):
            supply = _supply(price[c], offered[c], unit[c], rounding)
            excess += max(demand[c] - supply, 0)
            matched += min(demand[c], supply)
        if excess <= tolerance * matched:
            break
        # each buyer's drop-out price plus the step, bucketed by target catchment
        start[0] = 0
        for c in range(m):
            start[c + 1] = start[c] + demand[c]
        filled = start[:-1].copy()
        for i in range(n):
            c = target[i]
            if c >= 0:
                step = max(step_share * flat_price[c], step_relative * price[c])
                bids[filled[c]] = dropout[i] + step
                filled[c] += 1
        any_changed = False
        new_price = price.copy()
        for c in range(m):
            lo, hi = start[c], start[c + 1]
            if hi == lo:
                changed[c] = False
                continue
            bids[lo:hi].sort()  # in place, ascending: the rank-th highest is at hi - 1 - rank
            best = new_price[c]
            for rank in range(min(hi - lo, offered[c] + 1)):
                supply_price = (rank + 1) * unit[c] if rank < offered[c] else np.inf
                best = max(best, min(bids[hi - 1 - rank], supply_price))
            new_price[c] = best
            changed[c] = best != price[c]
            any_changed = any_changed or changed[c]
        if not any_changed or rounds >= max_rounds:
            break
        before = price
        price = new_price
    return price, target, dropout, choice, top, rounds


@njit(cache=True)
def _families_by_catchment(candidates, owner, home, m):  # pragma: no cover - compiled
    """The families with an option in each catchment (a family once per option) and the
    owners living in each, grouped by catchment: start offsets, then family rows. A round
    flags only these families of the catchments whose price changed (`_ascend`)."""
    n, width = candidates.shape
    entry_start = np.zeros(m + 1, dtype=np.int64)
    owner_start = np.zeros(m + 1, dtype=np.int64)
    for i in range(n):
        for k in range(width):
            c = candidates[i, k]
            if c < 0:  # options are at the front of the row, padding after
                break
            entry_start[c + 1] += 1
        if owner[i]:
            owner_start[home[i] % m + 1] += 1  # a home of -1 is read as the last, as numba does
    for c in range(m):
        entry_start[c + 1] += entry_start[c]
        owner_start[c + 1] += owner_start[c]
    entry_family = np.empty(entry_start[m], dtype=np.int64)
    owner_family = np.empty(owner_start[m], dtype=np.int64)
    at = entry_start[:-1].copy()
    owner_at = owner_start[:-1].copy()
    for i in range(n):
        for k in range(width):
            c = candidates[i, k]
            if c < 0:
                break
            entry_family[at[c]] = i
            at[c] += 1
        if owner[i]:
            h = home[i] % m
            owner_family[owner_at[h]] = i
            owner_at[h] += 1
    return entry_start, entry_family, owner_start, owner_family


@njit(cache=True)
def _reprice(
    candidates, base_bid, u, can_rent, value_rent, rent_rate, fixed_rent, limit, owner, home,
    price, before, changed, everyone, target, dropout, renting, top, second, flagged,
):  # pragma: no cover - compiled  # fmt: skip
    """`_update_best_options` for the rounds, visiting fewer families: prices only rise,
    so a changed catchment's surpluses only fall, and a family whose changed options were
    all below its second-best surplus at the prices `before` keeps its best option, its
    second-best surplus (and so its drop-out price) and its rent choice exactly (the best
    and second-best of its options are unchanged, and so is the first option reaching the
    best). Owners whose home premium changed are re-priced (every buy surplus moved).
    Families not `flagged` (no option and no home in a changed catchment) are skipped
    without looking at their options; the flags are cleared as they are read."""
    n, width = candidates.shape
    for i in range(n):
        if not (everyone or flagged[i]):
            continue  # no option and no home in a changed catchment
        flagged[i] = False
        touched = everyone or (owner[i] and changed[home[i]])
        if not touched:
            held = before[home[i]] if owner[i] else 0.0
            for k in range(width):
                c = candidates[i, k]
                if c < 0:  # options are at the front of the row, padding after
                    break
                if not changed[c]:
                    continue
                if rent_rate[c] < 0 or u[c] * (base_bid[i, k] + held - before[c]) >= second[i]:
                    touched = True
                    break
                if can_rent[i, k]:
                    cost = rent_rate[c] * before[c] + fixed_rent[i]
                    if cost <= limit[i] and value_rent[i, k] - cost >= second[i]:
                        touched = True
                        break
        if not touched:
            continue
        held = price[home[i]] if owner[i] else 0.0
        best, next_best, best_k, best_buy = 0.0, 0.0, -1, False
        for k in range(width):
            c = candidates[i, k]
            if c < 0:
                break
            buy = u[c] * (base_bid[i, k] + held - price[c])
            rent = -np.inf
            if can_rent[i, k]:
                cost = rent_rate[c] * price[c] + fixed_rent[i]
                if cost <= limit[i]:
                    rent = value_rent[i, k] - cost
            if buy > best:
                next_best = best
                best, best_k, best_buy = buy, k, True
            elif buy > next_best:
                next_best = buy
            if rent > best:
                next_best = best
                best, best_k, best_buy = rent, k, False
            elif rent > next_best:
                next_best = rent
        top[i] = best
        second[i] = next_best
        target[i] = -1
        renting[i] = -1
        dropout[i] = -np.inf
        if best_k < 0:
            continue
        c = candidates[i, best_k]
        if best_buy:
            target[i] = c
            dropout[i] = base_bid[i, best_k] + held - next_best / u[c]
        else:
            renting[i] = c


def ascend_prices_reference(
    entries: Entries,
    reservation: np.ndarray,
    offered: np.ndarray,
    unit: np.ndarray,
    flat_price_cny: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, int]:
    """`ascend_prices` as a Python loop of whole-array numpy passes (the code it replaced)."""
    e = entries
    price = reservation.astype(float).copy()
    n = e.candidates.shape[0]
    target = np.full(n, -1, dtype=np.int64)
    choice = np.full(n, -1, dtype=np.int64)
    dropout = np.full(n, -np.inf)
    top = np.zeros(n)
    changed = np.ones(price.size, dtype=bool)
    safe = np.maximum(e.candidates, 0)  # the rates of each option (padding: catchment 0)
    u, rent_rate = e.u[safe], e.rent_rate[safe]
    rounds = 0
    while True:
        rounds += 1
        _update_best_options(
            e.candidates, e.base_bid, u, e.can_rent, e.value_rent, rent_rate, e.fixed_rent,
            e.limit, e.owner, e.home, price, changed, target, dropout, choice, top,
        )  # fmt: skip
        demand = np.bincount(target[target >= 0], minlength=price.size)
        supply = school_buyers_supply(price, offered, unit)
        excess = np.maximum(demand - supply, 0).sum()
        if excess <= EXCESS_TOLERANCE * np.minimum(demand, supply).sum():
            break
        where = np.maximum(target, 0)
        step = np.maximum(
            PRICE_STEP_SHARE * flat_price_cny[where], PRICE_STEP_RELATIVE * price[where]
        )
        new_price = clearing_prices(target, dropout + step, offered, price, unit)
        changed = new_price != price
        if not changed.any() or rounds >= MAX_ROUNDS:
            break
        price = new_price
    return price, target, dropout, choice, top, rounds


def school_buyers_supply(price: np.ndarray, offered: np.ndarray, unit: np.ndarray) -> np.ndarray:
    """Flats school buyers can obtain at `price` per catchment: the k-th of the `offered`
    is theirs once the price reaches k x `unit` (all of them where `unit` is 0)."""
    freed = np.floor(price / np.where(unit > 0, unit, 1.0) + SUPPLY_ROUNDING)
    return np.where(unit > 0, np.clip(freed, 0, offered), offered).astype(np.int64)


def clearing_prices(
    target: np.ndarray,
    bid: np.ndarray,
    offered: np.ndarray,
    reservation: np.ndarray,
    unit: np.ndarray | None = None,
) -> np.ndarray:
    """Per catchment, the lowest price at which the bidders who want it (`target`, -1 for
    none) are no more than the flats they can obtain: max over k of min(k-th highest `bid`,
    k x `unit`), where the (offered + 1)-th and later bids face no further flat (an
    infinite supply price); never below the `reservation` price. With `unit` 0 (other
    buyers perfectly elastic) this is the (offered + 1)-th highest bid."""
    price = reservation.astype(float).copy()
    unit = np.zeros(price.size) if unit is None else unit
    rows = np.flatnonzero(target >= 0)
    catchment = target[rows]
    rank = rank_within(catchment, bid[rows])
    places = offered[catchment]
    within = rank <= places
    supply_price = np.where(rank < places, (rank + 1) * unit[catchment], np.inf)
    np.maximum.at(price, catchment[within], np.minimum(bid[rows[within]], supply_price[within]))
    return price


def best_options(
    candidates, base_bid, u, can_rent, value_rent, rent_rate, fixed_rent, limit, owner, home, price
):
    """Every family's best option at `price`: the catchment it buys in (-1: none) with its
    drop-out price there, the catchment it rents in (-1: none), and the best surplus."""
    n = candidates.shape[0]
    target = np.full(n, -1, dtype=np.int64)
    renting = np.full(n, -1, dtype=np.int64)
    dropout = np.full(n, -np.inf)
    top = np.zeros(n)
    _update_best_options(
        candidates, base_bid, u, can_rent, value_rent, rent_rate, fixed_rent, limit, owner,
        home, price, np.ones(price.size, dtype=np.bool_), target, dropout, renting, top,
    )  # fmt: skip
    return target, dropout, renting, top


@njit(cache=True)
def _update_best_options(
    candidates, base_bid, u, can_rent, value_rent, rent_rate, fixed_rent, limit, owner, home,
    price, changed, target, dropout, renting, top,
):  # pragma: no cover - compiled  # fmt: skip
    """`best_options` in place, for the families whose options' prices `changed` (a
    candidate catchment's, or an owner's home catchment's): every other family's best
    option depends only on unchanged prices, so it stands from the round before."""
    n, width = candidates.shape
    for i in range(n):
        touched = owner[i] and changed[home[i]]
        if not touched:
            for k in range(width):
                c = candidates[i, k]
                if c >= 0 and changed[c]:
                    touched = True
                    break
        if not touched:
            continue
        held = price[home[i]] if owner[i] else 0.0
        best, second, best_k, best_buy = 0.0, 0.0, -1, False
        for k in range(width):
            c = candidates[i, k]
            if c < 0:
                continue
            buy = u[i, k] * (base_bid[i, k] + held - price[c])
            rent = -np.inf
            if can_rent[i, k]:
                cost = rent_rate[i, k] * price[c] + fixed_rent[i]
                if cost <= limit[i]:
                    rent = value_rent[i, k] - cost
            if buy > best:
                second = best
                best, best_k, best_buy = buy, k, True
            elif buy > second:
                second = buy
            if rent > best:
                second = best
                best, best_k, best_buy = rent, k, False
            elif rent > second:
                second = rent
        top[i] = best
        target[i] = -1
        renting[i] = -1
        dropout[i] = -np.inf
        if best_k < 0:
            continue
        c = candidates[i, best_k]
        if best_buy:
            target[i] = c
            dropout[i] = base_bid[i, best_k] + held - second / u[i, best_k]
        else:
            renting[i] = c
