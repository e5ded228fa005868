"""Mutation testing of the model's rules with mutmut: is each small change to the code
(an operator swapped, a constant changed, a condition negated, an argument dropped)
caught by the tests that guard that module?

    .venv/bin/pip install mutmut==3.8.1        # not a test dependency: run by hand
    nice -n 10 .venv/bin/python tools/mutation.py randomness.py policy/ --json out.json
    .venv/bin/python tools/mutation.py --report a.json b.json   # one report from several runs

Each target (a module or a folder under src/edusim) is mutated in a scratch copy of the
repository (the working tree is never touched) with the tests declared for it below.
mutmut runs those tests once in one process to learn which tests call which function,
then forks that warm process once per mutant and runs only the tests that reached the
mutated function, so a mutant costs a fraction of a CPU-second instead of a fresh start
of Python (2-30 s with cosmic-ray, measured in docs/testing.md).

What is not mutated: mutmut mutates function bodies only, and skips decorated
functions (the metrics are therefore registered by a `register(...)` call after each
plain function, not by a decorator). The numba kernels (`@njit`) are mutated only with
`--unjit` (their decorators removed in the scratch copy, run as Python); most have a
pure-Python or numpy reference that is mutated and compared with the kernel by a unit
test; the assignment kernels of `policy/mechanisms/` and the housing market's clearing in
`processes/housing_rounds.py` have none (docs/testing.md). Module constants outside
functions are not mutated either.

`--sample N --seed S` runs a seeded random sample of at most N mutants of each module
(the whole set of a folder can take hours on a shared machine); `--recheck` applies the
survivors of a run one by one to a scratch copy of `src/` and runs tests written
afterwards against them.

The report gives, per module, the mutants, killed, survived, "no tests" (no declared
test reaches the function: counted as not killed) and the score killed / (all but
skipped), then every survivor with its diff. Its latest output is kept in
docs/testing.md with the date and commit.
"""

from __future__ import annotations

import json
import os
import random
import re
import resource
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# A target under src/edusim (a file, or a folder ending in "/"): the tests that guard it.
TARGETS: dict[str, list[str]] = {
    "randomness.py": ["tests/test_randomness.py", "tests/test_randomness_ids.py"],
    "policy/funding.py": [
        "tests/policy/test_funding.py",
        "tests/phases/test_money_and_arrivals.py",
    ],
    "policy/transfers.py": [
        "tests/policy/test_transfers.py",
        "tests/phases/test_transfers_in_model.py",
    ],
    "policy/": ["tests/policy"],
    "event_log.py": ["tests/test_event_log.py"],
    "mesa_adapter.py": [
        "tests/test_mesa_agent_rows.py",
        "tests/test_mesa_model.py",
        "tests/test_mesa_seed.py",
    ],
    "agents/school.py": ["tests/test_mesa_model.py"],
    "scenario/lifecycle.py": [
        "tests/scenario/test_lifecycle_validation.py",
        "tests/world/test_world_lifecycle.py",
    ],
    "metrics/": [
        "tests/test_metrics_by_hand.py",
        "tests/test_metric_helpers_by_hand.py",
        "tests/test_metric_rules_by_hand.py",
        "tests/test_metric_passes.py",
        "tests/test_metrics.py",
        "tests/test_docs.py::test_generated_files_are_up_to_date",
        "tests/test_docs.py::test_the_static_metric_info_is_the_registry",
        "-k",
        "not demo and not schools_table and not compute_all",  # whole demo runs: slow
    ],
    "processes/": ["tests/processes"],
    # The numba kernels, run with --unjit (their decorators removed in the scratch copy and
    # NUMBA_DISABLE_JIT=1, so mutmut mutates them and the tests run them as Python).
    "policy/mechanisms/": ["tests/policy/mechanisms", "tests/policy/test_admission.py"],
    "processes/housing_rounds.py": [
        "tests/processes/test_housing.py",
        "tests/processes/test_housing_rounds.py",
        "tests/processes/test_housing_options_by_hand.py",
        "-k",
        "not premiums_finite",  # a whole demo run: minutes without numba
    ],
    # The phases' tests that step small constructed cities (seconds each); the demo-city
    # and place tests would make every mutant of a phase cost minutes.
    "phases/": [
        "tests/phases/test_enrollment_properties.py",
        "tests/phases/test_fallback_lists.py",  # the demo city built once a test (< 1 s)
        "tests/phases/test_grant_channels.py",
        "tests/phases/test_group_hiring_in_model.py",
        "tests/phases/test_money_and_arrivals.py",
        "tests/phases/test_phase_rules_by_hand.py",
        "tests/phases/test_phase_rules_second_sample.py",
        "tests/phases/test_phase_rules_third_sample.py",
        "tests/phases/test_phase_rules_fourth_sample.py",
        "tests/phases/test_phase_rules_fifth_sample.py",
        "tests/phases/test_arrival_rules_by_hand.py",
        "tests/phases/test_rotation_rules_by_hand.py",
        "tests/phases/test_sharing_rules_by_hand.py",
        "tests/phases/test_specialty_rules_by_hand.py",
        "tests/phases/test_staffing_rules_by_hand.py",
        "tests/phases/test_transfers_in_model.py",
        "tests/phases/test_phase_rules_sixth_sample.py",
        "tests/phases/test_phase_rules_seventh_sample.py",
        "tests/phases/test_placement_rules_by_hand.py",
        "tests/phases/test_policy_events_by_hand.py",
        "tests/phases/test_private_lists.py",
        "tests/phases/test_retirees_in_model.py",
        "tests/phases/test_scarce_subjects_in_model.py",
        "tests/phases/test_school_lifecycle.py",
        "tests/phases/test_sharing_in_model.py",
        "tests/phases/test_specialties_in_model.py",
        "tests/phases/test_tracking_in_model.py",
        "tests/phases/test_travel.py",
        # the rotation quota by tier by hand (the file's third test runs the demo city)
        "tests/phases/test_tier_quota.py::"
        "test_only_teachers_of_the_tier_fill_the_quota_and_the_rest_is_a_shortfall",
        "tests/phases/test_tier_quota.py::test_the_national_share_beyond_the_quota_may_go_to_anyone",
    ],
}
# Targets for --unjit only (their other functions are mutated with policy/ and processes/).
KERNEL_TARGETS = ("policy/mechanisms/", "processes/housing_rounds.py")
# Modules a folder target leaves out unless they are named on their own (none now: the
# modules other helpers were rewriting when this list was first made are mutated too).
SKIPPED_IN_FOLDERS: tuple[str, ...] = ()

COPIED = ("src", "tests", "scenarios", "experiments", "pyproject.toml", "README.md", "docs")
STATUS = {
    None: "not run",
    1: "killed",
    3: "killed",
    0: "survived",
    5: "no tests",
    33: "no tests",
    34: "skipped",
    # out of CPU time (mutmut's limit: 30 x (the tests' time + 1 s) by default, 6 x with
    # --unjit); counted as killed, as mutmut does: a mutant that makes the tests hang is
    # caught
    36: "killed",
    24: "killed",
    -24: "killed",
    152: "killed",
    255: "killed",
}


def _scratch_copy() -> Path:
    scratch = Path(tempfile.mkdtemp(prefix="edusim-mutation-"))
    for name in COPIED:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, scratch / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, scratch / name)
    return scratch


_NJIT = re.compile(r"^@(?:numba\.)?njit(?:\(.*\))?\s*$")


def unjit(paths: list[Path]) -> set[str]:
    """Remove the one-line `@njit(...)` decorators of the top-level functions in `paths`
    (in a scratch copy) so that mutmut, which skips decorated functions, mutates the
    kernels too; the names of those functions. The tests then run with
    NUMBA_DISABLE_JIT=1: the kernels' own source, interpreted, mutated one change at a
    time (numba's typing and integer widths are not what is tested here; the logic is)."""
    kernels = set()
    for path in paths:
        lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
        kept = []
        for at, line in enumerate(lines):
            if _NJIT.match(line) and at + 1 < len(lines) and lines[at + 1].startswith("def "):
                kernels.add(lines[at + 1][4:].split("(")[0])
                continue
            kept.append(line)
        path.write_text("".join(kept), encoding="utf-8")
    return kernels


def of_function(name: str) -> str:
    """The function a mutmut mutant name belongs to (`...x__sift_down__mutmut_3` ->
    `_sift_down`; methods as `Class.method`)."""
    last = name.split(".")[-1].split("__mutmut_")[0].removeprefix("x")
    return (
        last.removeprefix("_") if "\u01c1" not in last else last.replace("\u01c1", ".").strip(".")
    )


def _toml_list(items: list[str]) -> str:
    return "[" + ", ".join(json.dumps(i) for i in items) + "]"


_COLLECT = """
import json, sys
from pathlib import Path
from mutmut.mutation.diff_apply import get_diff_for_mutant
out = []
for meta in sorted(Path("mutants").rglob("*.py.meta")):
    source = str(meta.relative_to("mutants"))[: -len(".meta")]
    codes = json.loads(meta.read_text(encoding="utf-8"))["exit_code_by_key"]
    for name, code in codes.items():
        diff = get_diff_for_mutant(name, path=source) if code in (0, 5, 33) else ""
        out.append([source, name, code, diff])
json.dump(out, sys.stdout)
"""


def collect(scratch: Path) -> list[dict]:
    """The outcome of every mutant in a mutmut folder (also of a run cut short: those not
    reached are "not run"), with the diff of each mutant not killed."""
    raw = subprocess.run(
        [sys.executable, "-c", _COLLECT], cwd=scratch, capture_output=True, text=True, check=True
    ).stdout
    mutants = []
    for source, name, code, diff in json.loads(raw):
        changed = [d for d in diff.splitlines() if d[:1] in "+-" and d[:3] not in ("+++", "---")]
        mutants.append(
            {
                "module": source.removeprefix("src/edusim/"),
                "name": name,
                "outcome": STATUS.get(code, "timeout or crash"),
                "diff": "\n".join(changed),
            }
        )
    return mutants


_NAMES = """
import json
from pathlib import Path
names = {}
for meta in sorted(Path("mutants").rglob("*.py.meta")):
    source = str(meta.relative_to("mutants"))[: -len(".meta")]
    names[source] = sorted(json.loads(meta.read_text(encoding="utf-8"))["exit_code_by_key"])
print(json.dumps(names))
"""


def sample_names(names_by_module: dict[str, list[str]], per_module: int, seed: int) -> list[str]:
    """A seeded random sample of at most `per_module` mutant names from each module: the
    same names for the same source, sample size and seed (each module drawn with its own
    generator, keyed by the seed and the module's path, so adding a module elsewhere does
    not change another module's sample)."""
    chosen = []
    for module in sorted(names_by_module):
        names = sorted(names_by_module[module])
        draw = random.Random(f"{seed}:{module}")
        chosen += names if len(names) <= per_module else sorted(draw.sample(names, per_module))
    return chosen


def _mutmut(mutmut: str, args: list[str], scratch: Path, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        [mutmut, "run", *args], cwd=scratch, env=env, capture_output=True, text=True
    )


def run_target(
    target: str,
    tests: list[str],
    workers: int = 2,
    sample: int | None = None,
    seed: int = 0,
    kernels: bool = False,
) -> dict:
    """Mutate `target` (path under src/edusim) and run `tests`; the outcome of each mutant.
    With `sample`, only a seeded random sample of at most that many mutants of each module
    is run (the others are reported as "not run"): mutmut first makes every mutant and
    learns which test reaches which function, with a filter that matches no mutant, then
    runs the sampled mutants by name. With `kernels`, only the numba kernels of the
    target are mutated, as Python (`unjit`), and the tests run with NUMBA_DISABLE_JIT=1."""
    scratch = _scratch_copy()
    mutmut = str(Path(sys.executable).parent / "mutmut")
    if target.endswith("/"):
        only = [f"src/edusim/{target}*.py"]
        skipped = [f"src/edusim/{m}" for m in SKIPPED_IN_FOLDERS if m.startswith(target)]
    else:
        only, skipped = [f"src/edusim/{target}"], []
    try:
        with open(scratch / "pyproject.toml", "a", encoding="utf-8") as config:
            config.write(
                "\n[tool.mutmut]\n"
                'source_paths = ["src/"]\n'
                f"also_copy = {_toml_list([c for c in COPIED if c not in ('src', 'tests')])}\n"
                f"only_mutate = {_toml_list(only)}\n"
                f"do_not_mutate = {_toml_list(skipped)}\n"
                f"pytest_add_cli_args_test_selection = {_toml_list(tests)}\n"
                'pytest_add_cli_args = ["-p", "no:cacheprovider", "-q"]\n'
                + ("timeout_multiplier = 3.0\n" if kernels else "")
            )
        env = {**os.environ, "HYPOTHESIS_PROFILE": "ci"}
        env.pop("PYTHONPATH", None)
        stripped: set[str] = set()
        if kernels:
            root = scratch / "src" / "edusim"
            files = sorted(root.glob(f"{target}*.py")) if target.endswith("/") else [root / target]
            stripped = unjit(files)
            env["NUMBA_DISABLE_JIT"] = "1"
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        limit = ["--max-children", str(workers)]
        if sample is None and not kernels:
            run = _mutmut(mutmut, limit, scratch, env)
        else:
            _mutmut(mutmut, [*limit, "no-such-mutant-only-make-them"], scratch, env)
            if not (scratch / "mutants" / "mutmut-stats.json").exists():
                raise RuntimeError(f"mutmut could not make the mutants of {target}")
            listed = subprocess.run(
                [sys.executable, "-c", _NAMES], cwd=scratch, capture_output=True, text=True
            )
            made = json.loads(listed.stdout)
            if kernels:
                made = {
                    module: [n for n in names if of_function(n) in stripped]
                    for module, names in made.items()
                }
            names = sample_names(made, sample if sample is not None else 10**9, seed)
            run = _mutmut(mutmut, [*limit, *names], scratch, env)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
        if run.returncode != 0:
            raise RuntimeError(f"mutmut failed on {target}:\n{run.stdout[-3000:]}{run.stderr}")
        mutants = collect(scratch)
        if kernels:
            mutants = [m for m in mutants if of_function(m["name"]) in stripped]
        return {
            "target": target,
            "tests": tests,
            "cpu_seconds": round(cpu, 1),
            "sample": None if sample is None else {"per_module": sample, "seed": seed},
            "kernels": sorted(stripped) if kernels else None,
            "mutants": mutants,
        }
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def tests_of(target: str) -> list[str] | None:
    """The tests declared for `target`, or for the folder it is in (`policy/pay.py` is
    guarded by the tests of `policy/`)."""
    if target in TARGETS:
        return TARGETS[target]
    folder = target.rsplit("/", 1)[0] + "/" if "/" in target else None
    return TARGETS.get(folder) if folder else None


def _row(label: str, counts: Counter) -> str:
    run = sum(counts.values()) - counts["skipped"] - counts["not run"]
    score = f"{100 * counts['killed'] / run:.1f}%" if run else "n/a"
    return (
        f"| {label} | {run + counts['not run']} | {run} | {counts['killed']} | "
        f"{counts['survived']} | {counts['no tests']} | {score} |"
    )


def report(results: list[dict]) -> str:
    """Markdown: the score of each module (killed / run; a mutant no declared test
    reaches counts as run and not killed), then every mutant not killed, with its diff."""
    lines = [
        "| module | mutants | run | killed | survived | no tests | score |",
        "|---|---|---|---|---|---|---|",
    ]
    by_module: dict[str, list[dict]] = {}
    for result in results:
        for mutant in result["mutants"]:
            by_module.setdefault(mutant["module"], []).append(mutant)
    total: Counter = Counter()
    for module in sorted(by_module):
        counts = Counter(m["outcome"] for m in by_module[module])
        total.update(counts)
        lines.append(_row(f"`{module}`", counts))
    lines.append(_row("all", total))
    for result in results:
        drawn = result.get("sample")
        how = (
            f", a random sample of at most {drawn['per_module']} mutants a module "
            f"(seed {drawn['seed']})"
            if drawn
            else ""
        )
        lines.append(
            f"\n`{result['target']}`: tests `{' '.join(result['tests'])}`, "
            f"{result['cpu_seconds']} CPU-s{how}"
        )
    for module in sorted(by_module):
        left = [m for m in by_module[module] if m["outcome"] in ("survived", "no tests")]
        if left:
            lines += ["", f"Not killed in `{module}`:", ""]
            for mutant in left:
                changed = " / ".join(d.strip() for d in mutant["diff"].splitlines())
                name = mutant["name"].split(".")[-1]
                lines.append(f"- {name} ({mutant['outcome']}): `{changed}`")
    return "\n".join(lines) + "\n"


def _apply(source: str, mutant: dict) -> str | None:
    """`source` with the mutant's diff applied inside its function, or None when the
    removed lines are not found there."""
    removed = [d[1:] for d in mutant["diff"].splitlines() if d.startswith("-")]
    added = [d[1:] for d in mutant["diff"].splitlines() if d.startswith("+")]
    function = mutant["name"].split(".")[-1].split("__mutmut_")[0]
    function = function.removeprefix("x_").split("\u01c1")[-1]
    lines = source.splitlines()
    start = next((i for i, line in enumerate(lines) if f"def {function}(" in line), None)
    if start is None or not removed:
        return None
    # mutmut writes a method as a top-level function: its diff is indented one level less
    # than the source, so lines are matched without their indent, which is then restored
    stripped = [line.strip() for line in removed]
    for at in range(start, len(lines) - len(removed) + 1):
        if [line.strip() for line in lines[at : at + len(removed)]] == stripped:
            indent = lines[at][: len(lines[at]) - len(lines[at].lstrip())]
            shift = indent[: len(indent) - (len(removed[0]) - len(removed[0].lstrip()))]
            moved = [shift + line if line.strip() else line for line in added]
            return "\n".join(lines[:at] + moved + lines[at + len(removed) :]) + "\n"
    return None


def recheck(results: list[dict], tests: list[str]) -> list[dict]:
    """Each mutant a run did not kill, applied by hand (its diff, in a scratch copy of
    `src`) and run against `tests` (run with the copy first on the path): its outcome now,
    "killed" or "survived" (or "not applied" when its diff no longer matches the source).
    For checking that tests added after a run kill its survivors, in seconds a mutant
    instead of a new run of the whole module."""
    outcomes = []
    left = [m for r in results for m in r["mutants"] if m["outcome"] in ("survived", "no tests")]

    def run_tests(scratch: Path) -> int:
        env = {**os.environ, "PYTHONPATH": str(scratch / "src"), "HYPOTHESIS_PROFILE": "ci"}
        return subprocess.run(
            [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", *tests],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
        ).returncode

    def scratch_copy() -> Path:
        # the scenarios beside src/, where the package finds the library ("demo")
        scratch = Path(tempfile.mkdtemp(prefix="edusim-recheck-"))
        shutil.copytree(ROOT / "src", scratch / "src")
        shutil.copytree(ROOT / "scenarios", scratch / "scenarios")
        return scratch

    unmutated = scratch_copy()
    try:  # the tests must pass on the unmutated copy, or every mutant would look killed
        if run_tests(unmutated) != 0:
            raise RuntimeError(f"the tests fail on an unmutated copy of src/: {tests}")
    finally:
        shutil.rmtree(unmutated, ignore_errors=True)
    for mutant in left:
        scratch = scratch_copy()
        try:
            path = scratch / "src" / "edusim" / mutant["module"]
            mutated = _apply(path.read_text(encoding="utf-8"), mutant)
            if mutated is None:
                outcomes.append({**mutant, "now": "not applied"})
                continue
            path.write_text(mutated, encoding="utf-8")
            returncode = run_tests(scratch)
            now = {0: "survived", 1: "killed"}.get(returncode, f"error {returncode}")
            outcomes.append({**mutant, "now": now})
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
    return outcomes


def main(argv: list[str]) -> int:
    """Mutate the named targets (all by default); print the report in Markdown. With
    `--json PATH` the outcomes of every mutant are also written to PATH; `--report
    PATH...` only rebuilds the report from such files (runs split over several calls);
    `--workers N` sets how many mutants run at once (default 2); `--sample N --seed S`
    runs only a seeded random sample of at most N mutants of each module."""
    if argv[:1] == ["--collect"]:  # a scratch folder left by a run that was stopped
        target, scratch, out = argv[1], Path(argv[2]), Path(argv[3])
        result = {"target": target, "tests": tests_of(target), "cpu_seconds": None}
        out.write_text(json.dumps([{**result, "mutants": collect(scratch)}], indent=1))
        return 0
    if argv[:1] == ["--recheck"]:  # --recheck RESULT.json OUT.json TEST...
        results = json.loads(Path(argv[1]).read_text())
        outcomes = recheck(results, argv[3:])
        Path(argv[2]).write_text(json.dumps(outcomes, indent=1), encoding="utf-8")
        for mutant in outcomes:
            print(f"{mutant['now']}: {mutant['module']} {mutant['name'].split('.')[-1]}")
        return 0
    if argv[:1] == ["--report"]:
        results = [r for path in argv[1:] for r in json.loads(Path(path).read_text())]
        print(report(results))
        return 0
    out = None
    if "--json" in argv:
        at = argv.index("--json")
        out, argv = Path(argv[at + 1]), argv[:at] + argv[at + 2 :]
    workers = 2
    if "--workers" in argv:
        at = argv.index("--workers")
        workers, argv = int(argv[at + 1]), argv[:at] + argv[at + 2 :]
    sample, seed = None, 0
    kernels = "--unjit" in argv
    argv = [a for a in argv if a != "--unjit"]
    if "--sample" in argv:
        at = argv.index("--sample")
        sample, argv = int(argv[at + 1]), argv[:at] + argv[at + 2 :]
    if "--seed" in argv:
        at = argv.index("--seed")
        seed, argv = int(argv[at + 1]), argv[:at] + argv[at + 2 :]
    targets = argv or [t for t in TARGETS if t not in KERNEL_TARGETS]
    unknown = [t for t in targets if tests_of(t) is None]
    if unknown:
        print(f"no tests declared for {unknown[0]!r}; known targets: {', '.join(TARGETS)}")
        return 2
    results = [
        run_target(target, tests_of(target), workers, sample, seed, kernels) for target in targets
    ]
    if out is not None:
        out.write_text(json.dumps(results, indent=1), encoding="utf-8")
    print(report(results))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
