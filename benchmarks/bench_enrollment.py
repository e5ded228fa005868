"""Speed of placing a city's entrants: `place_entrants` and `admit_by_priority` at scale.

Synthetic inputs, seeded with numpy: 200,000 applicants, 1,000 schools, a preference list
of 16 distinct schools per applicant and capacities summing to about 1.1 times the
applicants. Lists are drawn by the Gumbel-top-k trick (a Plackett-Luce ranking):

* uniform  every school equally popular, so most applicants get their first choice;
* skewed   school popularity log-normal (sd 1), so popular schools are oversubscribed,
           many applicants go down their lists and the round loop runs longer.

Priorities mimic `resident_standing` plus the lottery: a ladder class times 100, whole
years of residence, and a uniform lottery fraction.

Timed (perf_counter, in this process, after one untimed warm-up call):

* place_entrants       the full round-by-round placement (free places copied per call,
                       since the function decrements them in place);
* admit_by_priority    one round alone: every applicant applies to its first choice;
* deferred_acceptance  for comparison, the numba engine of the zone, group and choice
                       rules on the same lists (the priority repeated along each list);
* deferred_acceptance_reserved
                       the same with half of every school's places reserved for its
                       "residents" (each applicant's first choice stands in for its
                       catchment school): lists twice as long, over reserved and open seats.
* the mechanism menu (policy/mechanisms/, through `assign`) with priorities that differ
  by school, as under multiple tie-breaking and catchment priority: the ladder class and
  years, a lottery number per applicant and school, and 1,000 more at the applicant's
  first choice (its stand-in catchment school):
      da               deferred acceptance
      boston           immediate acceptance
      parallel_k<k>    the parallel mechanism, bands of k (--band-size, default 4)
      serial_dict      serial dictatorship in the order of the single priority
      ttc              top trading cycles

Every result is checked (the mechanisms like place_entrants): no school over capacity, places decremented exactly, every
placement on the applicant's list, no applicant unplaced while a school on its list has a
free place, and (admit_by_priority) every admitted applicant at least as high in priority
as anyone the same school turned away. A failed check exits non-zero; time is never
checked.

    python benchmarks/bench_enrollment.py                 # both popularity models, 9 repeats
    python benchmarks/bench_enrollment.py --popularity skewed --repeat 21 --json out.json
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from edusim.policy.enrollment import UNPLACED, admit_by_priority, place_entrants, reserved_seats
from edusim.policy.mechanisms import MECHANISMS, assign, deferred_acceptance

TARGET_S = 1.0  # "in well under a second"
CHUNK = 10_000
MENU_NAMES = {
    "deferred_acceptance": "da",
    "immediate_acceptance": "boston",
    "parallel": "parallel_k{k}",
    "serial_dictatorship": "serial_dict",
    "top_trading_cycles": "ttc",
}  # applicants per chunk when drawing lists (chunk x schools floats at a time)


# -- inputs ----------------------------------------------------------------------------------
def synthetic_inputs(
    applicants: int,
    schools: int,
    list_length: int,
    capacity_ratio: float,
    popularity: str,
    seed: int,
) -> dict[str, np.ndarray]:
    """Preference lists (applicants x list_length, distinct schools), priorities, capacities."""
    if list_length > schools:
        raise ValueError("a list cannot name more distinct schools than there are")
    rng = np.random.default_rng(seed)
    if popularity == "uniform":
        log_weight = np.zeros(schools)
    elif popularity == "skewed":
        log_weight = rng.normal(0.0, 1.0, schools)
    else:
        raise ValueError(f"unknown popularity model {popularity!r}")
    lists = np.empty((applicants, list_length), dtype=np.int64)
    for start in range(0, applicants, CHUNK):
        stop = min(start + CHUNK, applicants)
        keys = log_weight + rng.gumbel(size=(stop - start, schools))
        top = np.argpartition(-keys, list_length - 1, axis=1)[:, :list_length]
        order = np.argsort(-np.take_along_axis(keys, top, axis=1), axis=1)
        lists[start:stop] = np.take_along_axis(top, order, axis=1)

    size = rng.uniform(0.5, 1.5, schools)
    capacity = np.maximum(1, np.round(capacity_ratio * applicants * size / size.sum()))
    ladder_class = rng.integers(0, 4, applicants)
    years = rng.integers(0, 10, applicants)
    priority = ladder_class * 100.0 + years + rng.random(applicants)
    return {"lists": lists, "priority": priority, "capacity": capacity.astype(np.int64)}


# -- checks (not timed) ----------------------------------------------------------------------
def check_placement(
    lists: np.ndarray, capacity: np.ndarray, placed: np.ndarray, free_after: np.ndarray
) -> dict[str, Any]:
    """Raise if a placement breaks capacity or lists; return a few facts about it."""
    taken = np.bincount(placed[placed >= 0], minlength=capacity.size)
    if (taken > capacity).any():
        raise AssertionError(f"{int((taken > capacity).sum())} schools over capacity")
    if not np.array_equal(free_after, capacity - taken):
        raise AssertionError("free places not decremented by exactly the admitted applicants")
    rows = np.flatnonzero(placed >= 0)
    on_list = (lists[rows] == placed[rows, None]).any(axis=1)
    if not on_list.all():
        raise AssertionError(f"{int((~on_list).sum())} applicants placed off their list")
    waiting = np.flatnonzero(placed == UNPLACED)
    listed = lists[waiting]
    if (free_after[np.maximum(listed, 0)][listed >= 0] > 0).any():
        raise AssertionError("an unplaced applicant lists a school with free places")
    rank = np.argmax(lists[rows] == placed[rows, None], axis=1)
    return {
        "placed": int(rows.size),
        "unplaced": int(waiting.size),
        "first_choice_share": float(np.mean(rank == 0)) if rows.size else 0.0,
        "mean_rank": float(np.mean(rank) + 1) if rows.size else 0.0,
        "seats_left": int(free_after.sum()),
    }


def check_admission(
    applied: np.ndarray, priority: np.ndarray, free: np.ndarray, admitted: np.ndarray
) -> dict[str, Any]:
    """Raise if a school admits beyond its places or passes over a higher priority."""
    taken = np.bincount(applied[admitted], minlength=free.size)
    if (taken > free).any():
        raise AssertionError(f"{int((taken > free).sum())} schools admit beyond their places")
    lowest_admitted = np.full(free.size, np.inf)
    np.minimum.at(lowest_admitted, applied[admitted], priority[admitted])
    refused = (applied >= 0) & ~admitted
    highest_refused = np.full(free.size, -np.inf)
    np.maximum.at(highest_refused, applied[refused], priority[refused])
    if (highest_refused > lowest_admitted).any():
        raise AssertionError("a school refused a higher priority than one it admitted")
    full_refusers = np.bincount(applied[refused], minlength=free.size) > 0
    if (taken[full_refusers] < free[full_refusers]).any():
        raise AssertionError("a school refused applicants while it had places left")
    return {"admitted": int(admitted.sum()), "refused": int(refused.sum())}


def check_matching(lists: np.ndarray, capacity: np.ndarray, matched: np.ndarray) -> None:
    taken = np.bincount(matched[matched >= 0], minlength=capacity.size)
    if (taken > capacity).any():
        raise AssertionError("deferred_acceptance: a school over capacity")
    rows = np.flatnonzero(matched >= 0)
    if not (lists[rows] == matched[rows, None]).any(axis=1).all():
        raise AssertionError("deferred_acceptance: a placement off the applicant's list")


# -- timing ----------------------------------------------------------------------------------
def timed_calls(call: Callable[[], Any], repeat: int) -> tuple[list[float], Any]:
    """One untimed warm-up call, then `repeat` timed calls; returns times and last result."""
    result = call()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        result = call()
        times.append(time.perf_counter() - started)
    return times, result


def peak_traced_mib(call: Callable[[], Any]) -> float:
    """Peak memory numpy and Python allocate during one call (tracemalloc; not timed)."""
    tracemalloc.start()
    try:
        call()
        return tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


def bench_case(args: argparse.Namespace, popularity: str) -> dict[str, Any]:
    started = time.perf_counter()
    inputs = synthetic_inputs(
        args.applicants, args.schools, args.list_length, args.capacity_ratio, popularity, args.seed
    )
    lists, priority, capacity = inputs["lists"], inputs["priority"], inputs["capacity"]
    setup_s = time.perf_counter() - started
    case: dict[str, Any] = {
        "popularity": popularity,
        "applicants": args.applicants,
        "schools": args.schools,
        "list_length": args.list_length,
        "seats": int(capacity.sum()),
        "seats_per_applicant": float(capacity.sum() / args.applicants),
        "input_setup_s": setup_s,
        "functions": {},
    }

    last_free: list[np.ndarray] = []

    def place() -> np.ndarray:
        free = capacity.copy()
        placed = place_entrants(lists, priority, free)
        last_free[:] = [free]
        return placed

    times, placed = timed_calls(place, args.repeat)
    facts = check_placement(lists, capacity, placed, last_free[0])
    rounds = int(np.argmax(lists == placed[:, None], axis=1)[placed >= 0].max()) + 1
    case["functions"]["place_entrants"] = {
        "seconds": times,
        **facts,
        "rounds_used": rounds,
        "peak_traced_mib": peak_traced_mib(place),
    }

    applied = lists[:, 0].copy()

    def admit() -> np.ndarray:
        return admit_by_priority(applied, priority, capacity)

    times, admitted = timed_calls(admit, args.repeat)
    case["functions"]["admit_by_priority"] = {
        "seconds": times,
        **check_admission(applied, priority, capacity, admitted),
        "peak_traced_mib": peak_traced_mib(admit),
    }

    if not args.no_da:
        repeated = np.repeat(priority[:, None], lists.shape[1], axis=1)

        def match() -> np.ndarray:
            return deferred_acceptance(lists, repeated, capacity)

        times, matched = timed_calls(match, args.repeat)
        check_matching(lists, capacity, matched)
        case["functions"]["deferred_acceptance"] = {
            "seconds": times,
            "placed": int((matched >= 0).sum()),
            "unplaced": int((matched < 0).sum()),
            "peak_traced_mib": peak_traced_mib(match),
        }

        home = lists[:, 0].copy()  # each applicant's first choice stands in for its catchment

        def match_reserved() -> np.ndarray:
            seats, resident, seat_free = reserved_seats(
                lists, home, np.ones(home.size, dtype=bool), capacity, 0.5
            )
            seat_priority = np.repeat(priority[:, None], seats.shape[1], axis=1) + resident * 1e6
            matched = deferred_acceptance(seats, seat_priority, seat_free)
            return np.where(matched >= 0, matched % capacity.size, -1)

        times, matched = timed_calls(match_reserved, args.repeat)
        check_matching(lists, capacity, matched)
        case["functions"]["deferred_acceptance_reserved"] = {
            "seconds": times,
            "placed": int((matched >= 0).sum()),
            "unplaced": int((matched < 0).sum()),
            "peak_traced_mib": peak_traced_mib(match_reserved),
        }
        per_school = np.floor(priority)[:, None] + np.random.default_rng(args.seed + 1).random(
            lists.shape
        )
        per_school[:, 0] += 1000.0
        for mechanism in MECHANISMS:

            def run(mechanism: str = mechanism) -> np.ndarray:
                return assign(
                    mechanism,
                    lists,
                    per_school,
                    capacity,
                    band_size=args.band_size,
                    order=priority,
                )

            times, matched = timed_calls(run, args.repeat)
            taken = np.bincount(matched[matched >= 0], minlength=capacity.size)
            facts = check_placement(lists, capacity, matched, capacity - taken)
            case["functions"][MENU_NAMES[mechanism].format(k=args.band_size)] = {
                "seconds": times,
                **facts,
                "peak_traced_mib": peak_traced_mib(run),
            }
    for entry in case["functions"].values():
        entry["median_s"] = statistics.median(entry["seconds"])
        entry["min_s"] = min(entry["seconds"])
        entry["max_s"] = max(entry["seconds"])
    return case


def print_case(case: dict[str, Any], repeat: int) -> None:
    print(
        f"\n{case['popularity']} popularity: {case['applicants']:,} applicants, "
        f"{case['schools']:,} schools, lists of {case['list_length']}, "
        f"{case['seats']:,} seats ({case['seats_per_applicant']:.3f} per applicant); "
        f"median of {repeat} calls after a warm-up"
    )
    print(f"{'function':<22} {'median s':>9} {'min s':>9} {'max s':>9} {'peak MiB':>9}  outcome")
    for name, entry in case["functions"].items():
        if name == "place_entrants":
            outcome = (
                f"{entry['placed']:,} placed, {entry['unplaced']:,} unplaced, "
                f"{entry['first_choice_share']:.1%} first choice, {entry['rounds_used']} rounds"
            )
        elif name == "admit_by_priority":
            outcome = f"{entry['admitted']:,} admitted, {entry['refused']:,} refused (1 round)"
        elif "first_choice_share" in entry:
            outcome = (
                f"{entry['placed']:,} placed, {entry['unplaced']:,} unplaced, "
                f"{entry['first_choice_share']:.1%} first choice, mean rank {entry['mean_rank']:.2f}"
            )
        else:
            outcome = f"{entry['placed']:,} placed, {entry['unplaced']:,} unplaced"
        print(
            f"{name:<22} {entry['median_s']:>9.4f} {entry['min_s']:>9.4f} {entry['max_s']:>9.4f}"
            f" {entry['peak_traced_mib']:>9.1f}  {outcome}"
        )
    median = case["functions"]["place_entrants"]["median_s"]
    slowest = max(case["functions"], key=lambda name: case["functions"][name]["median_s"])
    print(
        f"target (informational): place_entrants {median:.3f} s median, slowest "
        f"{slowest} {case['functions'][slowest]['median_s']:.3f} s, vs < {TARGET_S:.0f} s; "
        "capacity checks passed"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--applicants", type=int, default=200_000)
    parser.add_argument("--schools", type=int, default=1_000)
    parser.add_argument("--list-length", type=int, default=16)
    parser.add_argument("--capacity-ratio", type=float, default=1.1, help="seats per applicant")
    parser.add_argument(
        "--popularity", choices=("uniform", "skewed", "both"), default="both", help="lists"
    )
    parser.add_argument("--seed", type=int, default=20261123)
    parser.add_argument("--repeat", type=int, default=9, help="timed calls per function")
    parser.add_argument(
        "--no-da", action="store_true", help="skip deferred_acceptance and the mechanism menu"
    )
    parser.add_argument("--band-size", type=int, default=4, help="parallel mechanism's band")
    parser.add_argument("--json", metavar="PATH", help="also write the figures as JSON")
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    models = ("uniform", "skewed") if args.popularity == "both" else (args.popularity,)
    load_before = os.getloadavg()[0]
    cases = []
    for popularity in models:
        case = bench_case(args, popularity)
        print_case(case, args.repeat)
        cases.append(case)
    print(f"\n1-minute load average at start: {load_before:.2f} ({os.cpu_count()} CPUs)")
    if args.json:
        path = Path(args.json)
        path.parent.mkdir(parents=True, exist_ok=True)
        payload = {
            "benchmark": "enrollment",
            "machine": {
                "cpus": os.cpu_count(),
                "python": platform.python_version(),
                "platform": platform.platform(),
                "numpy": np.__version__,
                "date_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                "load_1min_at_start": load_before,
            },
            "options": vars(args),
            "cases": cases,
        }
        path.write_text(json.dumps(payload, indent=2), encoding="utf-8")
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
