"""The README's commands as a user types them, each in a fresh process and through a
resident server (`edusim serve`), interleaved.

The benchmark starts its own server on a socket in a private temporary folder (its warm-up
CPU and resident set are reported), then for each repetition and command runs
`python -m edusim COMMAND` once with `EDUSIM_SERVER=off` (a fresh process: interpreter,
imports, kernel loads, work) and once through the server. For each it prints the median,
min and max of:

* wall      spawn to exit of the command the user typed (for the served one: the client,
            which waits for the server's fork);
* cpu       user + system CPU seconds: the fresh process with its children; for the
            served command the client plus the fork that ran it, with its children, as
            the server's log reports them;
* peak RSS  the fresh process, or the fork (whose resident set includes the pages it
            shares with the server).

Commands (`--commands`, default all):

* `report`      `edusim report` of a copy of tests/data/report/run (7 figures, PNG);
* `run`         `edusim run hangzhou --quiet --no-report` (20 years);
* `run+report`  `edusim run hangzhou --quiet` (the README's first command, quiet).

    python benchmarks/bench_serve.py                        # 3 repetitions of each
    python benchmarks/bench_serve.py --commands report --repeat 5

Nothing here asserts on time: the figures depend on the machine and its load.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench_report import median_range  # this folder is on the path when run as a script

ROOT = Path(__file__).resolve().parents[1]
REPORT_RUN = ROOT / "tests" / "data" / "report" / "run"
COMMANDS = ("report", "run", "run+report")
SERVED = re.compile(r"\(pid (\d+)\) exit (-?\d+), ([0-9.]+) CPU-s, peak (\d+) MiB")


def command_line(name: str, folder: Path) -> list[str]:
    if name == "report":
        copy = folder / "report-run"
        shutil.copytree(REPORT_RUN, copy)
        return ["report", str(copy)]
    out = ["--out", str(folder / "run")]
    if name == "run":
        return ["run", "hangzhou", "--quiet", "--no-report", *out]
    return ["run", "hangzhou", "--quiet", *out]


def start_server(folder: Path, env: dict[str, str]) -> tuple[subprocess.Popen, Path]:
    log = folder / "server.log"
    with log.open("w") as handle:
        server = subprocess.Popen(
            [sys.executable, "-m", "edusim", "serve", "--idle", "3600"],
            env=env,
            cwd=folder,
            stdout=handle,
            stderr=subprocess.STDOUT,
        )
    while "serving at" not in log.read_text():
        if server.poll() is not None:
            raise SystemExit(f"the server did not start:\n{log.read_text()}")
        time.sleep(0.1)
    return server, log


def one(name: str, env: dict[str, str], log: Path | None) -> dict[str, float]:
    """Run command `name` once (through the server when `log` is its log)."""
    with tempfile.TemporaryDirectory(prefix="bench-serve-") as scratch:
        argv = command_line(name, Path(scratch))
        seen = log.read_text().count("CPU-s, peak") if log else 0
        started = time.perf_counter()
        child = subprocess.Popen(
            [sys.executable, "-m", "edusim", *argv], env=env, stdout=subprocess.DEVNULL
        )
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - started
        if os.waitstatus_to_exitcode(status) != 0:
            raise SystemExit(f"{argv} failed (exit {os.waitstatus_to_exitcode(status)})")
        cpu, rss = usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024
        if log is not None:
            lines = [line for line in log.read_text().splitlines() if "CPU-s, peak" in line]
            if len(lines) != seen + 1:
                raise SystemExit(f"{argv} did not run in the server:\n{log.read_text()}")
            match = SERVED.search(lines[-1])
            assert match is not None
            cpu += float(match.group(3))
            rss = float(match.group(4))
    return {"wall": wall, "cpu": cpu, "rss": rss}


def server_usage(pid: int) -> tuple[float, float]:
    """CPU seconds and resident MiB of a live process, from /proc (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    cpu = (int(fields[11]) + int(fields[12])) / ticks
    rss = int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    return cpu, rss / 2**20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--commands", nargs="+", choices=COMMANDS, default=list(COMMANDS))
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bs-"))
    socket_path = folder / "s.sock"
    served_env = dict(os.environ, EDUSIM_SERVER=str(socket_path))
    fresh_env = dict(os.environ, EDUSIM_SERVER="off")
    print(f"load {os.getloadavg()[0]:.2f} (1 min) before", flush=True)
    server, log = start_server(folder, served_env)
    try:
        warm_cpu, warm_rss = server_usage(server.pid)
        print(f"server warmed: {warm_cpu:.1f} CPU-s, {warm_rss:.0f} MiB resident", flush=True)
        measured = {(name, way): [] for name in args.commands for way in ("fresh", "served")}
        for _ in range(args.repeat):
            for name in args.commands:
                measured[(name, "fresh")].append(one(name, fresh_env, None))
                measured[(name, "served")].append(one(name, served_env, log))
        print(f"load {os.getloadavg()[0]:.2f} (1 min) after\n")
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(60)
        shutil.rmtree(folder, ignore_errors=True)
    print("| command | how | wall s (min-max) | CPU s (min-max) | peak RSS MiB |")
    print("|---|---|---:|---:|---:|")
    for (name, way), runs in measured.items():
        rss = statistics.median(run["rss"] for run in runs)
        wall, cpu = median_range(runs, "wall"), median_range(runs, "cpu")
        print(f"| {name} | {way} | {wall} | {cpu} | {rss:.0f} |")


if __name__ == "__main__":
    main()
