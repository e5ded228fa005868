"""World synthesis on the real map and on the synthetic rings, and the districts' areas.

Times `build_world` (the city of a scenario: map, sites, catchments, families, teachers)
for the scenario as written (districts on their real boundaries when they name
administrative codes and the `maps` extra is installed) and for the same scenario with
the codes removed (the synthetic rings, the layout before real maps), in one process
after one warm-up build of each (imports, numba compilation and the boundary files'
first read are not counted; `--cold` times the first real-map build in a fresh
subprocess instead). Prints the median, min and max of `--repeat` builds, the CPU time,
and a table of each coded district's area: the scenario's `area_km2` and the area of its
land on the projected map.

    python benchmarks/bench_world.py                        # Hangzhou, 5 builds each
    python benchmarks/bench_world.py --scenario scenarios/chongming.yaml --repeat 3
    python benchmarks/bench_world.py --cold

Nothing here asserts on time: the figures depend on the machine and on its load.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time


def _strip_codes(scenario):
    districts = tuple(
        d.model_copy(update={"admin_code": None, "admin_part": None, "admin_centre": None})
        for d in scenario.city.districts
    )
    return scenario.model_copy(
        update={"city": scenario.city.model_copy(update={"districts": districts})}
    )


def _time_builds(scenario, repeat: int) -> tuple[list[float], list[float], int]:
    from edusim.randomness import Streams
    from edusim.world.synthesis import build_world

    build_world(scenario, Streams(scenario.seed))  # warm-up
    walls, cpus = [], []
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        world = build_world(scenario, Streams(scenario.seed))
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return walls, cpus, world.geography.n_cells


def _row(label: str, walls: list[float], cpus: list[float], cells: int) -> str:
    return (
        f"| {label} | {cells:,} | {statistics.median(walls):.3f} | {min(walls):.3f} | "
        f"{max(walls):.3f} | {statistics.median(cpus):.3f} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scenario", default="scenarios/hangzhou.yaml")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--cold", action="store_true", help="time a first build in a subprocess")
    args = parser.parse_args()

    if args.cold:
        code = (
            "import time; from edusim.scenario.loader import load_scenario; "
            "from edusim.randomness import Streams; from edusim.world.synthesis import build_world; "
            f"s = load_scenario({args.scenario!r}); t = time.perf_counter(); "
            "build_world(s, Streams(s.seed)); print(f'{time.perf_counter() - t:.3f}')"
        )
        out = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        )
        print(f"first build_world in a fresh process (loading excluded): {out.stdout.strip()} s")
        return

    from edusim.scenario.loader import load_scenario
    from edusim.world import real_map

    scenario = load_scenario(args.scenario)
    print(f"{args.scenario}, seed {scenario.seed}, load average {os.getloadavg()[0]:.1f}")
    print(f"maps extra installed: {real_map.maps_available()}\n")
    print("| layout | cells | median s | min s | max s | CPU s (median) |")
    print("|---|---|---|---|---|---|")
    print(
        _row("synthetic rings (codes removed)", *_time_builds(_strip_codes(scenario), args.repeat))
    )
    if real_map.real_districts(scenario.city):
        print(_row("real map", *_time_builds(scenario, args.repeat)))
        shapes = real_map.real_shapes(scenario.city).shapes
        print("\n| district | code(s) | area_km2 in the scenario | land on the map (km²) |")
        print("|---|---|---|---|")
        total = 0.0
        for i, district in enumerate(scenario.city.districts):
            if i in shapes:
                codes = ", ".join(str(c) for c in real_map.admin_codes(district))
                total += shapes[i].area
                print(
                    f"| {district.name} | {codes} | {district.area_km2:,.0f} | "
                    f"{shapes[i].area:,.1f} |"
                )
        scenario_total = sum(
            d.area_km2 for i, d in enumerate(scenario.city.districts) if i in shapes
        )
        print(f"| total | | {scenario_total:,.0f} | {total:,.1f} |")


if __name__ == "__main__":
    main()
