"""Mutation testing of the model's rules with cosmic-ray: is each small change to the code
(an operator swapped, a constant changed, a condition negated) caught by the tests that
guard that module?

    .venv/bin/pip install cosmic-ray          # not a test dependency: run by hand
    .venv/bin/python tools/mutation.py                       # every target below
    .venv/bin/python tools/mutation.py policy/funding.py randomness.py --json out.json
    .venv/bin/python tools/mutation.py --report a.json b.json   # one report from several runs

Each target is mutated in a scratch copy of the repository (the working tree is never
touched), its tests run against the copy (PYTHONPATH points at the copy's src/), and the
report lists the share of mutants killed and every survivor with its diff. Slow: one test
run per mutant (a few seconds each), so it is not part of CI; its latest report is kept
in docs/testing.md with the date and commit.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYTEST = "python -m pytest -x -q -p no:cacheprovider"

TARGETS: dict[str, str] = {
    # module under src/edusim: the tests that guard it
    "policy/funding.py": "tests/policy/test_funding.py tests/phases/test_money_and_arrivals.py",
    "randomness.py": "tests/test_randomness.py",
    "metrics/": "tests/test_metrics_by_hand.py tests/test_metrics.py -k 'not demo and not schools_table and not compute_all'",
    "policy/rotation.py": "tests/policy/test_rotation.py",
    "policy/staffing.py": "tests/policy/test_staffing.py",
    "policy/group_effects.py": "tests/policy/test_group_rules.py",
    "policy/enrollment.py": "tests/policy/test_enrollment.py tests/policy/test_priorities.py tests/policy/test_enrollment_rules.py",
    "processes/learning.py": "tests/processes/test_learning.py",
    "processes/housing.py": "tests/processes/test_housing.py",
    "processes/reputation.py": "tests/processes/test_reputation.py",
    "processes/teacher_growth.py": "tests/processes/test_teacher_growth.py",
    "processes/family_choice.py": "tests/processes/test_family_choice.py",
    "processes/aggregate.py": "tests/processes/test_aggregate.py",
    "phases/intake.py": "tests/phases",
    "phases/placement.py": "tests/phases",
    "phases/policy_events.py": "tests/phases tests/test_places.py",
}

COPIED = ("src", "tests", "scenarios", "experiments", "pyproject.toml", "README.md", "docs")


def _scratch_copy() -> Path:
    scratch = Path(tempfile.mkdtemp(prefix="edusim-mutation-"))
    for name in COPIED:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, scratch / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, scratch / name)
    return scratch


def run_target(module: str, tests: str, timeout: float = 300.0) -> dict:
    """Mutate `module` (path under src/edusim) and run `tests`; the outcome of each mutant."""
    scratch = _scratch_copy()
    try:
        config = scratch / "cosmic-ray.toml"
        config.write_text(
            "[cosmic-ray]\n"
            f'module-path = "src/edusim/{module}"\n'
            f"timeout = {timeout}\n"
            "excluded-modules = []\n"
            f'test-command = "{PYTEST} {tests}"\n' + '[cosmic-ray.distributor]\nname = "local"\n',
            encoding="utf-8",
        )
        env = {**os.environ, "PYTHONPATH": str(scratch / "src"), "HYPOTHESIS_PROFILE": "ci"}
        env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env['PATH']}"
        baseline = subprocess.run(
            ["python", "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", *shlex.split(tests)],
            cwd=scratch,
            env=env,
            capture_output=True,
            text=True,
        )
        if baseline.returncode != 0:  # every mutant would count as killed
            raise RuntimeError(f"the tests of {module} fail before mutation:\n{baseline.stdout}")
        session = scratch / "session.sqlite"
        for step in (["init", str(config), str(session)], ["exec", str(config), str(session)]):
            subprocess.run(["cosmic-ray", *step], cwd=scratch, env=env, check=True)
        dump = subprocess.run(
            ["cosmic-ray", "dump", str(session)],
            cwd=scratch,
            env=env,
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        mutants = []
        for line in dump.splitlines():
            item, result = json.loads(line)
            mutation = item["mutations"][0]
            mutants.append(
                {
                    "line": mutation["start_pos"][0],
                    "operator": mutation["operator_name"].split("/")[-1],
                    "outcome": (result or {}).get("test_outcome") or "not run",
                    "diff": (result or {}).get("diff") or "",
                }
            )
        return {"module": module, "tests": tests, "mutants": mutants}
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def report(results: list[dict]) -> str:
    """Markdown: the score of each module, then every survivor with its diff."""
    lines = [
        "| module | mutants | killed | survived | incompetent | score |",
        "|---|---|---|---|---|---|",
    ]
    for result in results:
        outcomes = [m["outcome"] for m in result["mutants"]]
        killed, survived = outcomes.count("killed"), outcomes.count("survived")
        judged = killed + survived
        score = f"{100 * killed / judged:.1f}%" if judged else "n/a"
        lines.append(
            f"| `{result['module']}` | {len(outcomes)} | {killed} | {survived} | "
            f"{outcomes.count('incompetent')} | {score} |"
        )
    for result in results:
        survivors = [m for m in result["mutants"] if m["outcome"] == "survived"]
        if survivors:
            lines += ["", f"Survivors in `{result['module']}` (tests: `{result['tests']}`):", ""]
            for mutant in sorted(survivors, key=lambda m: m["line"]):
                changed = [
                    d
                    for d in mutant["diff"].splitlines()
                    if d[:1] in "+-" and d[:3] not in ("+++", "---")
                ]
                lines.append(
                    f"- line {mutant['line']}, {mutant['operator']}: `{' / '.join(changed)}`"
                )
    return "\n".join(lines) + "\n"


def main(argv: list[str]) -> int:
    """Mutate the named targets (all by default); print the report in Markdown. With
    `--json PATH` the outcomes of every mutant are also written to PATH; `--report
    PATH...` only rebuilds the report from such files (runs split over several calls)."""
    if argv[:1] == ["--report"]:
        results = [r for path in argv[1:] for r in json.loads(Path(path).read_text())]
        print(report(results))
        return 0
    out = None
    if "--json" in argv:
        at = argv.index("--json")
        out, argv = Path(argv[at + 1]), argv[:at] + argv[at + 2 :]
    modules = argv or list(TARGETS)
    unknown = [m for m in modules if m not in TARGETS]
    if unknown:
        print(f"no tests declared for {unknown[0]!r}; known targets: {', '.join(TARGETS)}")
        return 2
    results = [run_target(module, TARGETS[module]) for module in modules]
    if out is not None:
        out.write_text(json.dumps(results, indent=1), encoding="utf-8")
    print(report(results))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
