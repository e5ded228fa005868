"""Benchmark of a province run on a `dask.distributed.LocalCluster`: CPU per pupil-year
and peak memory per worker, with 1 and 2 workers (docs/scale.md uses its figures).

Runs `--scenario` (default scenarios/zhejiang.yaml), optionally scaled down (`--scale`
multiplies every district's pupils and schools, areas unchanged), once per worker count
in `--workers` on a fresh LocalCluster (single-threaded worker processes), through
`edusim.province.run_province` with `dask=` the cluster's address, exactly as
`edusim run PROVINCE --dask ADDRESS` does. For each run it prints each city's shard:
pupils, schools, CPU seconds (user + system of the worker process during the shard) and
the worker's peak resident memory after it; then the totals: CPU per 1,000 pupil-years,
the wall time, and the peak RSS of every worker (asked of each worker at the end). The
tables of all runs are compared byte for byte (they must be identical).

    nice -n 10 python benchmarks/bench_province.py --scale 0.25
    nice -n 10 python benchmarks/bench_province.py --workers 2 --json province.json

Measure on a quiet machine or say the load (`uptime`): CPU seconds are robust to sharing
the cores, wall time is not. Nothing here asserts on time.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path

from edusim.province import run_province
from edusim.province.shards import peak_rss_mib
from edusim.scenario.province_loader import load_province

ROOT = Path(__file__).resolve().parents[1]


def _tables(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*.parquet")}


def disk_use(folder: Path) -> dict[str, int]:
    """Bytes on disk (allocated blocks) and apparent bytes of every file under `folder`."""
    files = [path for path in folder.rglob("*") if path.is_file()]
    return {
        "disk_bytes": sum(path.stat().st_blocks * 512 for path in files),
        "file_bytes": sum(path.stat().st_size for path in files),
        "files": len(files),
    }


def run_on_cluster(province, workers: int, out: Path) -> dict:
    """One province run on a LocalCluster of `workers` single-threaded processes."""
    from distributed import Client, LocalCluster

    with LocalCluster(
        n_workers=workers, threads_per_worker=1, processes=True, memory_limit=0
    ) as cluster:
        started = time.perf_counter()
        run = run_province(province, out, dask=cluster.scheduler_address)
        wall = time.perf_counter() - started
        with Client(cluster) as client:
            peaks = client.run(peak_rss_mib)
    pupil_years = sum(s["pupils"] * s["years"] for s in run.shards)
    cpu = sum(s["cpu_seconds"] for s in run.shards)
    return {
        "workers": workers,
        "cities": len(run.shards),
        "pupils": sum(s["pupils"] for s in run.shards),
        "schools": sum(s["schools"] for s in run.shards),
        "pupil_years": pupil_years,
        "cpu_seconds": round(cpu, 2),
        "cpu_seconds_per_1000_pupil_years": round(1000 * cpu / pupil_years, 5),
        "wall_seconds": round(wall, 1),
        "worker_peak_rss_mib": {w: round(v, 1) for w, v in sorted(peaks.items())},
        "shards": run.shards,
        **disk_use(out),
        "city_disk_bytes": {
            s["city"]: disk_use(out / "cities" / s["city"])["disk_bytes"] for s in run.shards
        },
    }


def report(result: dict) -> None:
    print(f"\n## {result['workers']} worker(s)\n")
    print(
        "| city | pupils | schools | CPU-s | CPU-s per 1,000 pupil-years | worker peak MiB "
        "| disk MiB |"
    )
    print("|---|---|---|---|---|---|---|")
    for s in result["shards"]:
        per = 1000 * s["cpu_seconds"] / (s["pupils"] * s["years"])
        print(
            f"| {s['city']} | {s['pupils']:,} | {s['schools']:,} | {s['cpu_seconds']:.1f} | "
            f"{per:.4f} | {s['worker_peak_rss_mib']:.0f} | "
            f"{result['city_disk_bytes'][s['city']] / 2**20:.1f} |"
        )
    peaks = ", ".join(f"{v:.0f}" for v in result["worker_peak_rss_mib"].values())
    print(
        f"\n{result['cities']} cities, {result['pupils']:,} pupils, {result['schools']:,} "
        f"schools, {result['pupil_years']:,} pupil-years: {result['cpu_seconds']:.1f} CPU-s "
        f"({result['cpu_seconds_per_1000_pupil_years']:.4f} per 1,000 pupil-years), wall "
        f"{result['wall_seconds']:.0f} s; peak RSS per worker (MiB): {peaks}; the run folder: "
        f"{result['disk_bytes'] / 2**20:.1f} MiB on disk ({result['files']} files, "
        f"{result['file_bytes'] / 2**20:.1f} MiB of data)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", type=Path, default=ROOT / "scenarios" / "zhejiang.yaml")
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--years", type=int, help="school years (default: the file's)")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args()
    province = load_province(args.scenario, scale=args.scale, years=args.years)
    print(
        f"{province.name}: {len(province.cities)} cities, scale {args.scale:g}, load "
        f"{os.getloadavg()[0]:.1f} {os.getloadavg()[1]:.1f} {os.getloadavg()[2]:.1f}"
    )
    results, tables = [], []
    with tempfile.TemporaryDirectory(prefix="bench-province-") as folder:
        for workers in args.workers:
            out = Path(folder) / f"w{workers}"
            results.append(run_on_cluster(province, workers, out))
            tables.append(_tables(out))
            report(results[-1])
    identical = all(t == tables[0] for t in tables)
    print(f"\ntables identical across worker counts: {identical}")
    print(f"load at the end: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    if args.json:
        args.json.write_text(json.dumps({"scale": args.scale, "runs": results}, indent=2))


if __name__ == "__main__":
    main()
