"""Speed and memory of a city-scale run: the Hangzhou scenario, 20 school years, one process.

Each repetition runs in a fresh Python subprocess (so the peak resident set size is that
run's own, and no import, numba cache or allocator state carries over), which times:

* import      importing edusim (numpy, pandas, mesa, numba, ...);
* build       `EduModel(...)`: loading the scenario, world synthesis, phase set-up and
              the year-0 record;
* synthesis   `build_world` alone (the part of build that synthesises the city);
* start-up    CPU seconds of importing and of building, and of the parts of building:
              the scenario, the world, the housing market's burn-in, the private
              schools' amenity fit and the compiled kernels' first calls (numba loading
              its cache), each wrapped from outside;
* loop        every `model.step()` of the run (the year loop);
* tables      `model.tables()` at the end (what `run_scenario` returns);
* run         build + loop + finalize + tables: the whole run, as `run_scenario` times it;
* process     the subprocess from spawn to exit, seen by the parent (interpreter start,
              imports, run, teardown);

and, per phase, the time spent in each phase object's `step` (wrapped from outside, no
change to `src/`), plus the peak RSS (`ru_maxrss`) and CPU time (user + system, the fair
figure on a shared machine): of the whole process, and of the year loop alone, also per
simulated year per 100,000 pupils. The parent prints the median, min and max over the
repetitions.

`--scale 0.25 1 2 4` instead runs the scenario with every district's schools and pupils
(and explicit private-school counts) multiplied by each factor, area unchanged, and
prints a table of loop CPU per simulated year per 100,000 pupils and peak RSS per scale:
flat CPU per pupil-year means the year is linear in pupils and schools.

A run that does not finish is reported, never passed over: a worker that exits with an
error or is killed by a signal (SIGKILL with no message is most often the kernel's
out-of-memory killer) gets a line saying how it ended, in which stage (import, build,
year k of n, tables), after how long and at what peak RSS (from `os.wait4`, so known
even for a killed worker), with the memory available when it started; the scaling table
then prints the scales that finished and marks the one that did not (it is not run
again), and the script exits with status 1. SIGTERM, SIGHUP or Ctrl-C stop the worker
too (and a worker dies with its parent), print the same table of what finished and exit
with 128 + the signal.

    python benchmarks/bench_hangzhou.py                     # 3 repetitions
    python benchmarks/bench_hangzhou.py --repeat 5 --json results/bench-hangzhou.json
    python benchmarks/bench_hangzhou.py --years 5 --scenario scenarios/demo.yaml
    python benchmarks/bench_hangzhou.py --profile /tmp/loop.prof   # cProfile of the loop
    python benchmarks/bench_hangzhou.py --scale 0.25 1 2 4 --repeat 3 --years 5
    python benchmarks/bench_hangzhou.py --profile /tmp/x4.prof --scale 4 --years 3  # where 4x goes

Nothing here asserts on time: the figures depend on the machine and on its load.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import platform
import resource
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from copy import deepcopy
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SCENARIO = ROOT / "scenarios" / "hangzhou.yaml"
PHASES = ("policy", "staffing", "enrollment", "school_year", "evaluation", "record")
TARGET_RUN_S = 20.0
TARGET_PEAK_GIB = 4.0
PER_PUPILS = 100_000


# -- one run, in the worker process ----------------------------------------------------------
def _wrap_phase_steps(
    model: Any, phase_seconds: dict[str, list[float]], phase_cpu: dict[str, list[float]]
) -> None:
    """Time every phase object's `step` (wall and the process's CPU) by shadowing it with
    a timing wrapper."""
    for phase in model.phases:
        inner = phase.step
        times = phase_seconds.setdefault(phase.name, [])
        cpu = phase_cpu.setdefault(phase.name, [])

        def timed(year: int, _inner=inner, _times=times, _cpu=cpu) -> None:
            started, cpu_started = time.perf_counter(), _cpu_s()
            _inner(year)
            _times.append(time.perf_counter() - started)
            _cpu.append(_cpu_s() - cpu_started)

        phase.step = timed


def scaled_scenario(path: str, scale: float, mode: str = "dense") -> dict[str, Any]:
    """The scenario with `scale` times its schools and pupils.

    `dense`: every district's school and pupil counts times `scale`, area unchanged, so
    schools stand closer and each district offers `scale` times the schools (a test of
    what grows with a district's schools, and of how the city's economics change with
    density). `tiled`: the city's districts repeated side by side, `scale` copies of each
    (a fraction rounds the counts of one copy), on the synthetic rings at every scale
    (including 1), so the density, each district's schools and every family's options
    stay as they are: a test of the code's cost in the size of the city alone. District
    lists of the scenario (group formation's districts, ...) name the copies too."""
    from edusim.scenario.loader import load_scenario

    data = load_scenario(path).model_dump(mode="json")
    if mode == "dense":
        for district in data["city"]["districts"]:
            for key in ("schools", "private_schools", "pupils"):
                if district.get(key) is not None:
                    counts = district[key]
                    district[key] = {stage: max(1, round(n * scale)) for stage, n in counts.items()}
        return data
    districts = data["city"]["districts"]
    for district in districts:  # the synthetic layout at every scale: copies have no code
        for key in ("admin_code", "admin_centre", "admin_part"):
            district.pop(key, None)
    whole, part = int(scale), scale - int(scale)
    copies: dict[str, list[str]] = {d["name"]: [] for d in districts}
    tiled = []
    for copy in range(whole + (1 if part > 1e-9 else 0)):
        share = 1.0 if copy < whole else part
        for district in districts:
            twin = deepcopy(district)
            if copy:
                twin["name"] = f"{district['name']} {copy + 1}"
                copies[district["name"]].append(twin["name"])
            if share != 1.0:
                for key in ("schools", "private_schools", "pupils"):
                    if twin.get(key) is not None:
                        twin[key] = {s: max(1, round(n * share)) for s, n in twin[key].items()}
                twin["area_km2"] = district["area_km2"] * share
            tiled.append(twin)
    data["city"]["districts"] = tiled
    names = set(copies)

    def with_copies(node: Any) -> Any:
        if isinstance(node, dict):
            return {key: with_copies(value) for key, value in node.items()}
        if isinstance(node, list):
            if node and all(isinstance(item, str) and item in names for item in node):
                return node + [twin for item in node for twin in copies[item]]
            return [with_copies(item) for item in node]
        return node

    for key, value in data.items():
        if key != "city":
            data[key] = with_copies(value)
    return data


def _progress(path: str | None, stage: str) -> None:
    """Note the stage the worker is in and its peak RSS so far, for the parent to report
    if the worker dies (a killed worker writes no result)."""
    if path:
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        Path(path).write_text(json.dumps({"stage": stage, "peak_rss_mib": peak}), "utf-8")


def _cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


START_UP_PARTS = (
    "scenario",
    "synthesis",
    "burn_in",
    "amenity_fit",
    "numba_first_calls",
)
"""The parts of building a model timed in CPU seconds (`_time_start_up_parts`): loading
and checking the scenario, synthesising the world, the housing market's burn-in, the
private schools' amenity fit, and the first call of each compiled kernel (numba loading
its cache, or compiling; counted inside the other parts as well)."""


def _time_start_up_parts(model_module: Any, cpu: dict[str, float]) -> Any:
    """Wrap, from outside, what building a model spends its time on; return a function
    that puts everything back. CPU seconds are added up in `cpu` by part."""
    import numba.core.dispatcher as dispatcher

    from edusim.phases.intake import Intake

    def timed(owner: Any, name: str, part: str) -> tuple[Any, str, Any]:
        original = getattr(owner, name)
        own = name in vars(owner)  # else inherited (numba's Dispatcher): deleted after

        def wrapper(*args: Any, **kwargs: Any) -> Any:
            begun = _cpu_s()
            try:
                return original(*args, **kwargs)
            finally:
                cpu[part] = cpu.get(part, 0.0) + _cpu_s() - begun

        setattr(owner, name, wrapper)
        return owner, name, original if own else None

    wrapped = [
        timed(model_module, "load_scenario", "scenario"),
        timed(model_module, "build_world", "synthesis"),
        timed(Intake, "_burn_in", "burn_in"),
        timed(Intake, "_fit_private_amenity", "amenity_fit"),
        timed(dispatcher.Dispatcher, "_compile_for_args", "numba_first_calls"),
    ]

    def restore() -> None:
        for owner, name, original in reversed(wrapped):
            if original is None:
                delattr(owner, name)
            else:
                setattr(owner, name, original)

    return restore


def run_once(
    scenario: str,
    years: int | None,
    seed: int | None,
    profile: str | None,
    scale: float = 1.0,
    progress: str | None = None,
    scale_mode: str = "dense",
) -> dict:
    """Build and run the scenario once in this process; return the measurements.
    `progress`, if given, is a file where the current stage is noted as the run goes."""
    started = time.perf_counter()
    started_cpu = _cpu_s()
    _progress(progress, "import")
    import edusim.model as model_module  # timed: the import is part of a run's cost

    import_cpu_s = _cpu_s() - started_cpu

    _progress(progress, "scenario")
    source: str | dict[str, Any] = (
        scenario
        if scale == 1.0 and scale_mode == "dense"
        else scaled_scenario(scenario, scale, scale_mode)
    )

    imported = time.perf_counter()
    rss_after_import_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

    synthesis: list[float] = []
    start_cpu: dict[str, float] = {}
    build_world = model_module.build_world

    def timed_build_world(*args: Any, **kwargs: Any) -> Any:
        begun = time.perf_counter()
        world = build_world(*args, **kwargs)
        synthesis.append(time.perf_counter() - begun)
        return world

    model_module.build_world = timed_build_world
    restore = _time_start_up_parts(model_module, start_cpu)
    try:
        build_started = time.perf_counter()
        build_cpu_started = _cpu_s()
        # no --seed: the scenario's own seed (EduModel's seed=None would draw a fresh one)
        chosen = model_module.SCENARIO_SEED if seed is None else seed
        _progress(progress, "build (world synthesis, burn-in, year-0 record)")
        model = model_module.EduModel(source, chosen, years=years)
        built = time.perf_counter()
        build_cpu_s = _cpu_s() - build_cpu_started
    finally:
        restore()
        model_module.build_world = build_world

    phase_seconds: dict[str, list[float]] = {}
    phase_cpu: dict[str, list[float]] = {}
    _wrap_phase_steps(model, phase_seconds, phase_cpu)
    pupils = [len(model.families)]
    teachers = [len(model.teachers)]
    step_seconds: list[float] = []
    loop_cpu_started = _cpu_s()
    profiler = None
    if profile:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    while model.running:
        _progress(progress, f"year {len(step_seconds) + 1} of {model.resolved_scenario.years}")
        begun = time.perf_counter()
        model.step()
        step_seconds.append(time.perf_counter() - begun)
        pupils.append(len(model.families))
        teachers.append(len(model.teachers))
    if profiler is not None:
        profiler.disable()
        profiler.dump_stats(profile)
    loop_done = time.perf_counter()
    loop_cpu_s = _cpu_s() - loop_cpu_started
    _progress(progress, "finalize and tables")
    for phase in model.phases:
        phase.finalize()
    tables_started = time.perf_counter()
    tables = model.tables()
    finished = time.perf_counter()

    loop_s = sum(step_seconds)
    n_years = len(step_seconds)
    # pupils in school during each simulated year: the mean of the counts before and after it
    pupil_years = [(a + b) / 2 for a, b in itertools.pairwise(pupils)]
    mean_pupils = statistics.fmean(pupil_years) if pupil_years else float(pupils[0])
    return {
        "scenario": model.scenario.name,
        "seed": model.seed,
        "years": n_years,
        "schools": len(model.school_table),
        "teachers_start": teachers[0],
        "teachers_end": teachers[-1],
        "pupils_start": pupils[0],
        "pupils_end": pupils[-1],
        "pupils_mean": mean_pupils,
        "import_s": imported - started,
        "build_s": built - build_started,
        "import_cpu_s": import_cpu_s,
        "build_cpu_s": build_cpu_s,
        "start_cpu_s": {name: start_cpu.get(name, 0.0) for name in START_UP_PARTS},
        "synthesis_s": synthesis[0] if synthesis else float("nan"),
        "loop_s": loop_s,
        "finalize_s": tables_started - loop_done,
        "tables_s": finished - tables_started,
        "run_s": finished - build_started,
        "scale": scale,
        "scale_mode": scale_mode,
        "loop_cpu_s": loop_cpu_s,
        "cpu_s": _cpu_s(),
        "year_cpu_s_per_100k_pupils": loop_cpu_s / n_years / (mean_pupils / PER_PUPILS),
        "loop_s_per_100k_pupils": loop_s / (mean_pupils / PER_PUPILS),
        "year_s_per_100k_pupils": loop_s / n_years / (mean_pupils / PER_PUPILS),
        "step_s": step_seconds,
        "phase_s_per_year": {
            name: statistics.fmean(times) for name, times in phase_seconds.items() if times
        },
        "phase_s_total": {name: sum(times) for name, times in phase_seconds.items()},
        "phase_cpu_s_total": {name: sum(times) for name, times in phase_cpu.items()},
        "calendar_overhead_s": loop_s - sum(sum(t) for t in phase_seconds.values()),
        "rows": {name: len(frame) for name, frame in tables.items()},
        "peak_rss_after_import_mib": rss_after_import_kib / 1024,
        "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "profiled": bool(profile),
    }


def _worker(args: argparse.Namespace) -> None:
    result = run_once(
        args.scenario,
        args.years,
        args.seed,
        args.profile,
        args.worker_scale,
        progress=f"{args.worker_out}.progress",
        scale_mode=args.scale_mode,
    )
    Path(args.worker_out).write_text(json.dumps(result), encoding="utf-8")


# -- the parent: repetitions in fresh processes, summary --------------------------------------
class WorkerFailed(RuntimeError):
    """A benchmark run that did not finish: its worker failed or was killed."""


class Interrupted(BaseException):
    """The benchmark itself was told to stop (SIGTERM, SIGHUP); like KeyboardInterrupt, not
    an Exception, so that no `except Exception` swallows it."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


def _raise_interrupted(signum: int, _frame: object) -> None:
    raise Interrupted(signum)


PR_SET_PDEATHSIG = 1
"""prctl(2): the signal a process gets when its parent dies (Linux)."""


def _die_with_parent() -> None:
    """In the worker, before exec: die when the benchmark dies, however it dies, so a
    stopped benchmark leaves no 2 GiB worker running on (Linux only)."""
    if sys.platform.startswith("linux"):
        import ctypes

        ctypes.CDLL(None).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)  # libc's, in the process


def memory_available_mib() -> float | None:
    """MemAvailable of /proc/meminfo (Linux), else None."""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def failure_message(
    exit_code: int, stage: str, seconds: float, peak_mib: float, available_mib: float | None
) -> str:
    """One sentence on how a worker ended without a result."""
    where = f"during {stage} after {seconds:.0f} s, at a peak RSS of {peak_mib:,.0f} MiB"
    memory = (
        f" ({available_mib:,.0f} MiB of memory were available when it started)"
        if available_mib is not None
        else ""
    )
    if exit_code < 0:
        name = signal.Signals(-exit_code).name
        why = (
            "; edusim never sends SIGKILL: it is most often the kernel's out-of-memory killer "
            "(see `dmesg | grep -i oom`) or a job runner's memory or time limit"
            if -exit_code == signal.SIGKILL
            else ""
        )
        return f"the worker was killed by {name} {where}{memory}{why}"
    return f"the worker failed with exit code {exit_code} {where}{memory} (its message is above)"


def run_in_subprocess(
    args: argparse.Namespace, profile: str | None = None, scale: float = 1.0
) -> dict:
    """One repetition in a fresh interpreter; returns the worker's figures plus process wall.
    Raises WorkerFailed, saying how and where, when the worker ends without a result."""
    with tempfile.TemporaryDirectory(prefix="edusim-bench-") as scratch:
        out = Path(scratch) / "result.json"
        command = [
            sys.executable,
            str(Path(__file__).resolve()),
            "--worker-out",
            str(out),
            "--scenario",
            str(args.scenario),
        ]
        if args.years is not None:
            command += ["--years", str(args.years)]
        if args.seed is not None:
            command += ["--seed", str(args.seed)]
        if profile:
            command += ["--profile", profile]
        if scale != 1.0:
            command += ["--worker-scale", repr(scale)]
        command += ["--scale-mode", args.scale_mode]
        load_before = os.getloadavg()[0]
        available = memory_available_mib()
        started = time.perf_counter()
        worker = subprocess.Popen(command, cwd=ROOT, preexec_fn=_die_with_parent)
        try:
            _, status, usage = os.wait4(worker.pid, 0)
        except BaseException:  # the benchmark is being stopped: stop its worker too
            worker.kill()
            worker.wait()
            raise
        worker.returncode = exit_code = os.waitstatus_to_exitcode(status)
        process_s = time.perf_counter() - started
        if exit_code != 0 or not out.exists():
            progress = Path(f"{out}.progress")
            stage = "start-up"
            if progress.exists():
                stage = json.loads(progress.read_text(encoding="utf-8"))["stage"]
            raise WorkerFailed(
                failure_message(exit_code, stage, process_s, usage.ru_maxrss / 1024, available)
            )
        result = json.loads(out.read_text(encoding="utf-8"))
    result["process_s"] = process_s
    result["load_1min_before"] = load_before
    result["memory_available_mib_before"] = available
    return result


def summarise(values: list[float]) -> dict[str, float]:
    return {"median": statistics.median(values), "min": min(values), "max": max(values)}


def summary(runs: list[dict]) -> dict[str, Any]:
    keys = (
        "run_s",
        "process_s",
        "import_s",
        "build_s",
        "synthesis_s",
        "import_cpu_s",
        "build_cpu_s",
        "loop_s",
        "cpu_s",
        "loop_cpu_s",
        "year_cpu_s_per_100k_pupils",
        "tables_s",
        "loop_s_per_100k_pupils",
        "year_s_per_100k_pupils",
        "calendar_overhead_s",
        "peak_rss_mib",
    )
    table = {key: summarise([run[key] for run in runs]) for key in keys}
    names = [name for name in PHASES if name in runs[0]["phase_s_per_year"]]
    names += [name for name in runs[0]["phase_s_per_year"] if name not in names]
    phases = {name: summarise([run["phase_s_per_year"][name] for run in runs]) for name in names}
    start = {name: summarise([run["start_cpu_s"][name] for run in runs]) for name in START_UP_PARTS}
    return {"figures": table, "phase_s_per_year": phases, "start_cpu_s": start}


def print_report(runs: list[dict], result: dict[str, Any]) -> None:
    first = runs[0]
    print(
        f"\n{first['scenario']}: {first['years']} years, {first['schools']} schools, "
        f"{first['pupils_start']:,} -> {first['pupils_end']:,} pupils "
        f"(mean {first['pupils_mean']:,.0f}); {len(runs)} run(s), each in a fresh process\n"
    )
    labels = {
        "run_s": "run: build + loop + tables (s)",
        "process_s": "process incl. interpreter, imports (s)",
        "import_s": "import edusim (s)",
        "build_s": "build EduModel (s)",
        "synthesis_s": "  of which world synthesis (s)",
        "import_cpu_s": "CPU user+sys, import edusim (s)",
        "build_cpu_s": "CPU user+sys, build EduModel (s)",
        "loop_s": "year loop (s)",
        "cpu_s": "CPU user+sys, whole process (s)",
        "loop_cpu_s": "CPU user+sys, year loop (s)",
        "year_cpu_s_per_100k_pupils": "loop CPU per year per 100k pupils (s)",
        "tables_s": "tables() (s)",
        "loop_s_per_100k_pupils": "loop per 100k pupils (s)",
        "year_s_per_100k_pupils": "one year per 100k pupils (s)",
        "calendar_overhead_s": "loop outside phase steps (s)",
        "peak_rss_mib": "peak RSS (MiB)",
    }
    print(f"{'measure':<40} {'median':>9} {'min':>9} {'max':>9}")
    for key, stats in result["figures"].items():
        print(
            f"{labels[key]:<40} {stats['median']:>9.3f} {stats['min']:>9.3f} {stats['max']:>9.3f}"
        )
    print(f"\n{'phase: seconds per year':<40} {'median':>9} {'min':>9} {'max':>9} {'share':>7}")
    loop_per_year = result["figures"]["loop_s"]["median"] / first["years"]
    for name, stats in result["phase_s_per_year"].items():
        share = stats["median"] / loop_per_year
        print(
            f"{name:<40} {stats['median']:>9.4f} {stats['min']:>9.4f} {stats['max']:>9.4f}"
            f" {share:>6.1%}"
        )
    start_labels = {
        "scenario": "load and check the scenario",
        "synthesis": "synthesise the world",
        "burn_in": "housing market burn-in",
        "amenity_fit": "private schools' amenity fit",
        "numba_first_calls": "kernels' first calls (inside the above)",
    }
    print(f"\n{'before the first year: CPU s':<40} {'median':>9} {'min':>9} {'max':>9}")
    for key in ("import_cpu_s", "build_cpu_s"):
        stats = result["figures"][key]
        name = "import edusim" if key == "import_cpu_s" else "build EduModel, of which"
        print(f"{name:<40} {stats['median']:>9.3f} {stats['min']:>9.3f} {stats['max']:>9.3f}")
    for name, stats in result["start_cpu_s"].items():
        label = "  " + start_labels[name]
        print(f"{label:<40} {stats['median']:>9.3f} {stats['min']:>9.3f} {stats['max']:>9.3f}")
    run_s = result["figures"]["run_s"]["median"]
    peak_gib = result["figures"]["peak_rss_mib"]["max"] / 1024
    print(
        f"\ntargets (informational): whole run {run_s:.2f} s median vs < {TARGET_RUN_S:.0f} s "
        f"({'met' if run_s < TARGET_RUN_S else 'NOT met'}); largest peak RSS "
        f"{peak_gib:.2f} GiB vs < {TARGET_PEAK_GIB:.0f} GiB "
        f"({'met' if peak_gib < TARGET_PEAK_GIB else 'NOT met'})"
    )
    loads = ", ".join(f"{run['load_1min_before']:.2f}" for run in runs)
    print(f"1-minute load average before each run: {loads} ({os.cpu_count()} CPUs)")


def scaling_table(args: argparse.Namespace) -> int:
    """Each scale `args.repeat` times (scales interleaved, so load changes hit all alike),
    then one row per scale: medians of loop CPU per simulated year per 100k pupils and
    peak RSS. A scale whose run fails is reported, marked in the table and not run again;
    if the benchmark is stopped, the table of what finished is still printed. Returns the
    exit status: 0 when every run finished, 1 when one failed, 128 + the signal if stopped."""
    if any(not 0.25 <= scale <= 8.0 for scale in args.scale):
        raise SystemExit("--scale factors must be from 0.25 to 8")
    runs: dict[float, list[dict]] = {scale: [] for scale in args.scale}
    failed: dict[float, str] = {}
    status = 0
    label = "before the first run"
    planned = [(index, scale) for index in range(args.repeat) for scale in args.scale]
    try:
        for index, scale in planned:
            if scale in failed:
                continue
            label = f"scale {scale:g} run {index + 1}/{args.repeat}"
            try:
                run = run_in_subprocess(args, scale=scale)
            except WorkerFailed as error:
                failed[scale] = str(error)
                status = 1
                print(f"{label}: {error}; scale {scale:g} is not run again", flush=True)
                continue
            runs[scale].append(run)
            print(
                f"{label}: loop CPU {run['loop_cpu_s']:.2f} s, "
                f"{run['year_cpu_s_per_100k_pupils']:.4f} CPU-s per year per 100k pupils, "
                f"peak RSS {run['peak_rss_mib']:.0f} MiB (load {run['load_1min_before']:.2f})",
                flush=True,
            )
    except (Interrupted, KeyboardInterrupt) as error:
        signum = error.signum if isinstance(error, Interrupted) else signal.SIGINT
        status = 128 + signum
        print(
            f"\n{label}: stopped by {signal.Signals(signum).name} (its worker was stopped "
            "too); the runs that finished:",
            flush=True,
        )
    print_scaling_table(runs, failed)
    print_phase_scaling(runs)
    if args.json:
        path = Path(args.json)
        path.parent.mkdir(parents=True, exist_ok=True)
        payload = {
            "benchmark": "hangzhou-scaling",
            "machine": machine(),
            "runs": {f"{scale:g}": done for scale, done in runs.items()},
            "failed": {f"{scale:g}": why for scale, why in failed.items()},
        }
        path.write_text(json.dumps(payload, indent=2), encoding="utf-8")
    return status


def print_phase_scaling(runs: dict[float, list[dict]]) -> None:
    """Per phase, the CPU per simulated year per 100k pupils at each scale (medians), and
    its ratio to the smallest scale's: the phases whose cost grows faster than the city."""
    done = {scale: found for scale, found in runs.items() if found}
    if len(done) < 2:
        return
    scales = sorted(done)
    names = list(done[scales[0]][0]["phase_cpu_s_total"])

    def per_pupil_year(run: dict, name: str) -> float:
        return run["phase_cpu_s_total"][name] / run["years"] / (run["pupils_mean"] / PER_PUPILS)

    header = " | ".join(f"{scale:g}x" for scale in scales)
    print(f"\n| phase: loop CPU s per year per 100k pupils | {header} | ratio to {scales[0]:g}x |")
    print("|---|" + "---:|" * (len(scales) + 1))
    for name in names:
        medians = [statistics.median(per_pupil_year(r, name) for r in done[s]) for s in scales]
        ratios = ", ".join(f"{m / medians[0]:.2f}" for m in medians[1:]) if medians[0] else "-"
        cells = " | ".join(f"{m:.4f}" for m in medians)
        print(f"| {name} | {cells} | {ratios} |")


def print_scaling_table(runs: dict[float, list[dict]], failed: dict[float, str]) -> None:
    """One row per scale with finished runs; scales without say why."""
    print(
        "\n| scale | schools | mean pupils | years | loop CPU s | CPU s per year per 100k "
        "pupils (min-max) | process CPU s | peak RSS MiB |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|")
    for scale, done in runs.items():
        if not done:
            why = "did not finish (see above)" if scale in failed else "not run"
            print(f"| {scale:g} | {why} | | | | | | |")
            continue
        per = [run["year_cpu_s_per_100k_pupils"] for run in done]
        print(
            f"| {scale:g} | {done[0]['schools']:,} | {done[0]['pupils_mean']:,.0f} | "
            f"{done[0]['years']} | {statistics.median(r['loop_cpu_s'] for r in done):.2f} | "
            f"{statistics.median(per):.4f} ({min(per):.4f}-{max(per):.4f}) | "
            f"{statistics.median(r['cpu_s'] for r in done):.2f} | "
            f"{statistics.median(r['peak_rss_mib'] for r in done):.0f} |"
        )
    for scale, why in failed.items():
        if runs[scale]:  # a later repetition failed after earlier ones finished
            print(f"scale {scale:g}: {len(runs[scale])} run(s) above; then {why}")


def machine() -> dict[str, Any]:
    return {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "date_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }


def print_profile(path: str, loop_s: float, top: int = 25) -> None:
    import pstats

    stats = pstats.Stats(path)
    total = stats.total_tt  # type: ignore[attr-defined]
    print(f"\ncProfile of the year loop ({loop_s:.2f} s profiled, {total:.2f} s in functions)")
    print(f"edusim functions by cumulative time (top {top}; share of the profiled loop):")
    print(f"{'cumulative':>10} {'share':>6} {'own':>8} {'calls':>8}  function")
    rows = []
    for (filename, line, name), (_, calls, own, cumulative, _) in stats.stats.items():  # type: ignore[attr-defined]
        rows.append((cumulative, own, calls, f"{_short(filename)}:{line}({name})"))
    ours = [row for row in rows if row[3].startswith("edusim/") and "calendar.py" not in row[3]]
    for cumulative, own, calls, label in sorted(ours, reverse=True)[:top]:
        print(f"{cumulative:>10.3f} {cumulative / total:>6.1%} {own:>8.3f} {calls:>8}  {label}")
    print(f"\nall functions by own time (top {top}; numpy calls appear as ~:0):")
    for cumulative, own, calls, label in sorted(rows, key=lambda r: r[1], reverse=True)[:top]:
        print(f"{own:>10.3f} {own / total:>6.1%} {cumulative:>8.3f} {calls:>8}  {label}")


def _short(filename: str) -> str:
    marker = f"{os.sep}edusim{os.sep}"
    if marker in filename:
        return "edusim/" + filename.split(marker, 1)[1]
    parts = Path(filename).parts
    return str(Path(*parts[-2:])) if len(parts) > 1 else filename


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scenario", default=str(DEFAULT_SCENARIO), help="scenario file")
    parser.add_argument("--years", type=int, default=None, help="override the run length")
    parser.add_argument("--seed", type=int, default=None, help="override the scenario's seed")
    parser.add_argument("--repeat", type=int, default=3, help="runs, each in a fresh process")
    parser.add_argument("--json", metavar="PATH", help="also write runs and summary as JSON")
    parser.add_argument(
        "--profile",
        metavar="PATH",
        help="instead: one run with cProfile over the year loop; stats written to PATH",
    )
    parser.add_argument(
        "--scale",
        type=float,
        nargs="+",
        metavar="FACTOR",
        help="instead: the scaling table, schools and pupils times each FACTOR (0.25 to 8)",
    )
    parser.add_argument(
        "--scale-mode",
        choices=("dense", "tiled"),
        default="dense",
        help="with --scale: dense (each district's schools and pupils times the factor, area "
        "unchanged) or tiled (the districts repeated side by side, density unchanged)",
    )
    parser.add_argument("--worker-out", help=argparse.SUPPRESS)
    parser.add_argument("--worker-scale", type=float, default=1.0, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    args.scenario = str(Path(args.scenario).resolve())
    if args.worker_out:
        _worker(args)
        return
    for signum in (signal.SIGTERM, signal.SIGHUP):  # stop the worker, say so, then exit
        signal.signal(signum, _raise_interrupted)
    try:
        status = benchmark(args, parser)
    except WorkerFailed as error:
        status = 1
        print(f"benchmark run did not finish: {error}", file=sys.stderr, flush=True)
    except (Interrupted, KeyboardInterrupt) as error:
        signum = error.signum if isinstance(error, Interrupted) else signal.SIGINT
        status = 128 + signum
        name = signal.Signals(signum).name
        print(f"benchmark stopped by {name} (its worker was stopped too)", file=sys.stderr)
    raise SystemExit(status)


def benchmark(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    """The parent's work: a profile, the scaling table or the repetitions; exit status."""
    if args.profile:  # at the first --scale factor, if given
        scale = args.scale[0] if args.scale else 1.0
        run = run_in_subprocess(args, profile=str(Path(args.profile).resolve()), scale=scale)
        print_profile(str(Path(args.profile).resolve()), run["loop_s"])
        return 0
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    if args.scale:
        return scaling_table(args)
    runs = []
    for index in range(args.repeat):
        run = run_in_subprocess(args)
        print(
            f"run {index + 1}/{args.repeat}: run {run['run_s']:.2f} s "
            f"(synthesis {run['synthesis_s']:.2f} s, loop {run['loop_s']:.2f} s), "
            f"process {run['process_s']:.2f} s, peak RSS {run['peak_rss_mib']:.0f} MiB",
            flush=True,
        )
        runs.append(run)
    result = summary(runs)
    print_report(runs, result)
    if args.json:
        path = Path(args.json)
        path.parent.mkdir(parents=True, exist_ok=True)
        payload = {"benchmark": "hangzhou", "machine": machine(), "summary": result, "runs": runs}
        path.write_text(json.dumps(payload, indent=2), encoding="utf-8")
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    main()
