"""Speed of `edusim report`: CPU and wall time of writing a report, in fresh processes.

Each repetition copies a results folder (default: the stored run of tests/data/report,
which draws all seven kinds of run figure) to a temporary folder and writes its report
in a fresh Python process, as `edusim report` does. The parent reads the child's
resource usage with `os.wait4`, which includes the forked renderers it waited for, and
prints per setting the median, min and max of:

* wall      spawn to exit, seen by the parent (interpreter start and imports included);
* cpu       user + system CPU seconds of the process and its renderers (the fair figure
            on a shared machine);
* peak RSS  the largest resident set of the process or one of its renderers.

Settings are `--formats` lists (default: `png` and `png,pdf,svg`) crossed with
`--workers` counts (default: 1 and 2); the repetitions of all settings are interleaved
so that a change of machine load hits them alike.

    python benchmarks/bench_report.py                       # 3 repetitions
    python benchmarks/bench_report.py --results results/demo/<run> --repeat 5
    python benchmarks/bench_report.py --formats png --workers 2

Nothing here asserts on time: the figures depend on the machine and its load.
"""

from __future__ import annotations

import argparse
import itertools
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_RESULTS = ROOT / "tests" / "data" / "report" / "run"

CHILD = """
import sys
from edusim.report import build_report
report = build_report(sys.argv[1], formats=tuple(sys.argv[2].split(",")), workers=int(sys.argv[3]))
print(len(report.figures))
"""


def one_report(results: Path, formats: str, workers: int) -> dict[str, float]:
    """Write the report of a copy of `results` in a fresh process; its costs."""
    with tempfile.TemporaryDirectory(prefix="bench-report-") as folder:
        copy = Path(folder) / "results"
        shutil.copytree(results, copy)
        started = time.perf_counter()
        child = subprocess.Popen(
            [sys.executable, "-c", CHILD, str(copy), formats, str(workers)],
            stdout=subprocess.PIPE,
        )
        figures = child.stdout.read().decode().strip() if child.stdout else "0"
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - started
        if os.waitstatus_to_exitcode(status) != 0:
            raise SystemExit(f"the report failed (exit {os.waitstatus_to_exitcode(status)})")
    return {
        "wall": wall,
        "cpu": usage.ru_utime + usage.ru_stime,
        "rss": usage.ru_maxrss / 1024,
        "figures": float(figures),
    }


def median_range(runs: list[dict[str, float]], key: str) -> str:
    """`median (min-max)` of one measure over repetitions, as the tables print it."""
    values = [run[key] for run in runs]
    return f"{statistics.median(values):.2f} ({min(values):.2f}-{max(values):.2f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--results", type=Path, default=DEFAULT_RESULTS)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--formats", nargs="+", default=["png", "png,pdf,svg"])
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    args = parser.parse_args()
    settings = list(itertools.product(args.formats, args.workers))
    print(f"{args.results}; load {os.getloadavg()[0]:.2f} (1 min) before", flush=True)
    measured: dict[tuple[str, int], list[dict[str, float]]] = {s: [] for s in settings}
    for _ in range(args.repeat):
        for formats, workers in settings:
            measured[(formats, workers)].append(one_report(args.results, formats, workers))
    print(f"load {os.getloadavg()[0]:.2f} (1 min) after\n")
    print("| formats | workers | figures | wall s (min-max) | CPU s (min-max) | peak RSS MiB |")
    print("|---|---:|---:|---:|---:|---:|")
    for (formats, workers), runs in measured.items():
        rss = statistics.median(run["rss"] for run in runs)
        print(
            f"| {formats} | {workers} | {runs[0]['figures']:.0f} | {median_range(runs, 'wall')} | "
            f"{median_range(runs, 'cpu')} | {rss:.0f} |"
        )


if __name__ == "__main__":
    main()
