"""The counterfactual: the same city and seed without the reform, and the paired effect."""

from __future__ import annotations

import copy
import json
import math
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from edusim.cli import EXIT_BAD_INPUT, EXIT_OK, main
from edusim.counterfactual import EFFECT_COLUMNS, effect_headline, effect_table, judge
from edusim.metrics import METRICS
from edusim.results import run_counterfactual, run_scenario, write_run
from edusim.scenario.counterfactual import DEFAULT_DESCRIPTION, SUFFIX, counterfactual_of
from edusim.scenario.loader import ScenarioError, load_scenario
from edusim.scenario.rotation import RotationParams

REFORM = {
    "groups": {
        "kinds": {"tight": {"management_transfer": 0.4}},
        "rules": [
            {
                "name": "famous",
                "kind": "tight",
                "formed": "2018-09-01",
                "stage": "primary",
                "member_pool": ["any"],
                "max_members": 2,
            }
        ],
    },
    "rotation": {"pay_parity": True, "stipend_cny": 5000},
    "evaluation": {"bundled": True},
    "funding": {"rural_studios": 2, "special_teacher_support_cny": 40000},
    "enrollment": {
        "rule": "group",
        "by_area": [{"rule": "group", "districts": ["Core"]}, {"rule": "zones"}],
    },
    "timeline": [
        {"date": "2019-09-01", "label": "national rule", "set": {"learning.peer_effect": 0.05}},
        {"date": "2019-09-01", "label": "reform step", "set": {"rotation.stipend_cny": 9000}},
    ],
}


@pytest.fixture
def reform(small_scenario) -> dict:
    """The small city with a reform: groups, incentives, money, enrollment, events."""
    return {**small_scenario, **copy.deepcopy(REFORM)}


def _problems(error: pytest.ExceptionInfo[ScenarioError]) -> dict[str, str]:
    return {problem.path: problem.message for problem in error.value.problems}


def test_the_default_counterfactual_removes_the_reform_and_keeps_the_city(reform):
    scenario = load_scenario(reform)
    plain = counterfactual_of(scenario)
    assert plain.name == "small" + SUFFIX
    assert plain.description == DEFAULT_DESCRIPTION
    assert plain.counterfactual.of == "small"
    for key in ("seed", "start_year", "years", "city", "learning", "families", "schools"):
        assert getattr(plain, key) == getattr(scenario, key), key
    assert plain.groups.rules == () and plain.groups.explicit == ()
    assert plain.groups.kinds["tight"].management_transfer != 0.4
    assert plain.rotation == RotationParams()
    assert plain.evaluation.bundled is False
    assert plain.funding.rural_studios == 0
    assert plain.funding.special_teacher_support_cny == 0
    assert plain.funding.branch_campus_cny == scenario.funding.branch_campus_cny
    assert plain.enrollment.rule == "catchment"
    assert [s.rule for s in plain.enrollment.by_area] == ["catchment", "zones"]
    assert plain.timeline == ()


def test_the_counterfactual_is_pure_and_deterministic(reform):
    scenario = load_scenario(reform)
    before = scenario.model_dump()
    plain = counterfactual_of(scenario)
    assert plain is not scenario and plain != scenario
    # a separately loaded copy of the place gives an equal counterfactual (nothing depends
    # on object identity, the clock or the order of a set)
    assert counterfactual_of(load_scenario(reform)) == plain
    assert scenario.model_dump() == before


def test_events_kept_by_label_or_all_kept(reform):
    kept = load_scenario({**reform, "counterfactual": {"keep_events": ["national rule"]}})
    assert [e.label for e in counterfactual_of(kept).timeline] == ["national rule"]
    every = load_scenario({**reform, "counterfactual": {"drop_timeline": False}})
    assert len(counterfactual_of(every).timeline) == 2


def test_set_changes_the_counterfactual_and_may_keep_some_groups(reform):
    rule = REFORM["groups"]["rules"][0]
    scenario = load_scenario(
        {
            **reform,
            "counterfactual": {
                "description": "only the old groups",
                "set": {"groups.rules": [{**rule, "name": "old"}], "learning.peer_effect": 0.07},
            },
        }
    )
    plain = counterfactual_of(scenario)
    assert plain.description == "only the old groups"
    assert [r.name for r in plain.groups.rules] == ["old"]
    assert plain.learning.peer_effect == 0.07
    assert scenario.learning.peer_effect != 0.07


@pytest.mark.parametrize(
    ("section", "path", "words"),
    [
        ({"set": {"learning.no_such": 1}}, "counterfactual.set['learning.no_such']", "no such"),
        (
            {"set": {"learning.peer_effect": -1}},
            "counterfactual.set['learning.peer_effect']",
            "greater than",
        ),
        ({"set": {"seed": 5}}, "counterfactual.set['seed']", "fixed"),
        ({"set": {"city.cell_km": 2}}, "counterfactual.set['city.cell_km']", "fixed"),
        ({"keep_events": ["nope"]}, "counterfactual.keep_events[0]", "no timeline event"),
        ({"of": "x", "sett": {}}, "counterfactual.sett", "unknown key"),
    ],
)
def test_a_bad_counterfactual_is_an_error_at_its_path(reform, section, path, words):
    with pytest.raises(ScenarioError) as error:
        load_scenario({**reform, "counterfactual": section})
    problems = _problems(error)
    assert path in problems, problems
    assert words in problems[path]


def test_a_counterfactual_naming_missing_schools_is_reported(reform):
    group = {
        "name": "ghost",
        "kind": "tight",
        "core": "Core-P01",
        "members": ["Nowhere-P09"],
        "formed": "2018-09-01",
    }
    with pytest.raises(ScenarioError) as error:
        load_scenario({**reform, "counterfactual": {"set": {"groups.explicit": [group]}}})
    message = _problems(error)["counterfactual"]
    assert "groups.explicit[0].members[0]" in message and "Nowhere-P09" in message


def test_a_counterfactual_has_no_counterfactual_of_its_own(reform):
    plain = counterfactual_of(load_scenario(reform))
    with pytest.raises(ScenarioError, match="already the counterfactual"):
        counterfactual_of(plain)


def _metrics(rows: list[tuple[int, str, float]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["year", "metric", "value"])


def test_effect_table_by_hand():
    reform = _metrics(
        [(2020, "quality_sd", 0.10), (2021, "quality_sd", 0.08), (2021, "pupils", 100.0)]
    )
    plain = _metrics(
        [(2020, "quality_sd", 0.10), (2021, "quality_sd", 0.11), (2021, "mystery", 1.0)]
    )
    effect = effect_table(reform, plain)
    assert tuple(effect.columns) == EFFECT_COLUMNS
    quality = effect[effect.metric == "quality_sd"]
    assert list(quality.year) == [2020, 2021]
    assert quality.difference.tolist() == pytest.approx([0.0, -0.03])
    assert set(quality.unit) == {METRICS["quality_sd"].unit}
    assert set(quality.direction) == {"lower is better"}
    pupils = effect[effect.metric == "pupils"].iloc[0]
    assert pupils.reform == 100 and math.isnan(pupils.counterfactual)
    mystery = effect[effect.metric == "mystery"].iloc[0]
    assert (mystery.unit, mystery.direction) == ("", "information")
    assert effect.metric.tolist().index("quality_sd") < effect.metric.tolist().index("pupils")


def test_judge_reads_the_direction():
    assert judge(-0.1, "lower is better") == "better"
    assert judge(0.1, "lower is better") == "worse"
    assert judge(0.1, "higher is better") == "better"
    assert judge(0.0, "higher is better") == "no change"
    assert judge(0.1, "information") == ""
    assert judge(float("nan"), "lower is better") == ""


def test_effect_headline_is_the_final_year_with_verdicts():
    effect = effect_table(
        _metrics([(2020, "quality_sd", 0.1), (2021, "quality_sd", 0.08)]),
        _metrics([(2020, "quality_sd", 0.1), (2021, "quality_sd", 0.11)]),
    )
    headline = effect_headline(effect)
    assert len(headline) == 1
    row = headline.iloc[0]
    assert row.reform == 0.08 and row.counterfactual == 0.11 and row.effect == "better"


@pytest.fixture(scope="module")
def paired(small_city):
    """The small reform city run for 3 years with its counterfactual (same seed)."""
    scenario = load_scenario({**small_city, **REFORM})
    result = run_scenario(scenario)
    return result, run_counterfactual(result)


def test_common_random_numbers_make_year_zero_identical(paired):
    result, plain = paired
    assert plain.seed == result.seed
    effect = effect_table(result.tables["metrics"], plain.tables["metrics"])
    first = effect[effect.year == effect.year.min()]
    finite = first.difference[np.isfinite(first.difference)]
    assert len(finite) > 10 and (finite == 0).all()
    later = effect[effect.year == effect.year.max()]
    assert (later.difference.abs() > 0).any()
    assert (later[later.metric == "pupils"].difference == 0).all()


def test_the_effect_is_exactly_reproducible(paired):
    result, plain = paired
    again = run_scenario(result.scenario)
    first = effect_table(result.tables["metrics"], plain.tables["metrics"])
    second = effect_table(again.tables["metrics"], run_counterfactual(again).tables["metrics"])
    pd.testing.assert_frame_equal(first, second)


def test_a_paired_run_directory(paired, tmp_path):
    result, plain = paired
    out = write_run(result, tmp_path / "run", "csv", counterfactual=plain)
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["counterfactual"]["scenario"] == "small" + SUFFIX
    assert manifest["counterfactual"]["seed"] == result.seed
    for name in ("effect", "counterfactual/metrics", "counterfactual/schools"):
        assert (out / manifest["tables"][name]["file"]).exists(), name
    effect = pd.read_csv(out / "effect.csv")
    assert tuple(effect.columns) == EFFECT_COLUMNS
    saved = pd.read_csv(out / "counterfactual" / "metrics.csv")
    assert set(saved.scenario) == {"small" + SUFFIX}
    assert (out / "counterfactual" / "scenario.resolved.yaml").exists()
    summary = (out / "summary.md").read_text(encoding="utf-8")
    assert "Effect of the reform" in summary and plain.scenario.description in summary
    assert not list(tmp_path.glob(".run.partial-*"))


def test_the_command_line_runs_and_describes_the_counterfactual(demo_path, tmp_path, capsys):
    out = tmp_path / "run"
    code = main(["run", str(demo_path), "--years", "1", "--counterfactual", "--out", str(out)])
    assert code == EXIT_OK
    printed = capsys.readouterr().out
    assert "Effect of the reform" in printed and "demo-counterfactual" in printed
    assert (out / "effect.parquet").exists() and (out / "counterfactual").is_dir()
    assert main(["describe", str(demo_path), "--counterfactual", "--plan"]) == EXIT_OK
    assert main(["describe", str(demo_path), "--counterfactual"]) == EXIT_OK
    assert "name: demo-counterfactual" in capsys.readouterr().out


def test_the_command_line_writes_the_same_pair_side_by_side_or_in_turn(demo_path, tmp_path):
    """`--counterfactual` runs the pair side by side by default (two cores here);
    `--workers 1` runs them in turn in one process: every table the same; `--workers`
    without `--counterfactual` on a single city is refused."""
    folders = {label: tmp_path / label for label in ("side", "turn")}
    argv = ["run", str(demo_path), "--years", "2", "--counterfactual", "--quiet", "--no-report"]
    done = subprocess.run(  # a fresh process: no threads of earlier tests, so it forks
        [sys.executable, "-m", "edusim", *argv, "--out", str(folders["side"])],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == EXIT_OK, done.stderr
    assert main([*argv, "--out", str(folders["turn"]), "--workers", "1"]) == EXIT_OK
    tables = sorted(p.relative_to(folders["side"]) for p in folders["side"].rglob("*.parquet"))
    assert len(tables) >= 13 and any(p.parts[0] == "counterfactual" for p in tables)
    for table in tables:  # the run id is the folder's name
        left, right = (
            pd.read_parquet(folders[k] / table).drop(columns="run_id", errors="ignore")
            for k in ("side", "turn")
        )
        pd.testing.assert_frame_equal(left, right, obj=str(table))
    assert main(["run", str(demo_path), "--workers", "2", "--out", str(tmp_path / "x")]) == 2
    assert not (tmp_path / "x").exists()


def test_the_command_line_refuses_a_bad_counterfactual(write_yaml, tmp_path, capsys):
    path = write_yaml(
        "bad.yaml",
        "extends: base.yaml\nname: x\ncity:\n  districts:\n    - name: A\n      kind: urban\n"
        "      schools: {primary: 2, junior: 1}\n      pupils: {primary: 600, junior: 300}\n"
        "counterfactual:\n  set: {learning.peer_efect: 0.1}\n",
    )
    out = tmp_path / "run"
    assert main(["run", str(path), "--counterfactual", "--out", str(out)]) == EXIT_BAD_INPUT
    assert "counterfactual.set['learning.peer_efect']" in capsys.readouterr().err
    assert not out.exists()


def test_a_kept_opening_builds_the_school_without_its_group(reform):
    opening = {
        "date": "2019-09-01",
        "label": "new school",
        "open": {"name": "Core-P09", "stage": "primary", "district": "Core",
                 "entrusted_to": "Core-P01"},
    }  # fmt: skip
    scenario = load_scenario(
        {
            **reform,
            "timeline": [*REFORM["timeline"], opening],
            "counterfactual": {"keep_events": ["new school"]},
        }
    )
    assert scenario.timeline[-1].open.entrusted_to == "Core-P01"
    plain = counterfactual_of(scenario)
    assert [e.label for e in plain.timeline] == ["new school"]
    kept = plain.timeline[0].open
    assert kept.name == "Core-P09" and kept.entrusted_to == "" and kept.join_group == ""


# -- the pair side by side -----------------------------------------------------------------
#
# These run in a fresh interpreter: earlier tests of the suite leave Dask's threads in
# this one, where forking is not safe and the pair would quietly run in turn.

TESTS = Path(__file__).resolve().parents[1]

PAIR_SETUP = f"""
import copy, os, sys
sys.path[:0] = [{str(TESTS)!r}, {str(TESTS / "scenario")!r}]
import pandas as pd
from conftest import SMALL_SCENARIO
from test_counterfactual import REFORM, SUFFIX
import edusim.results as results
from edusim.forking import fork_is_safe
from edusim.scenario.loader import load_scenario
scenario = load_scenario({{**copy.deepcopy(SMALL_SCENARIO), **REFORM}})
assert fork_is_safe() and (os.cpu_count() or 1) > 1, "the pair would not run side by side"
parent = os.getpid()
"""


def _in_fresh_python(code: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", PAIR_SETUP + textwrap.dedent(code)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def test_side_by_side_forks_and_gives_the_tables_of_one_after_the_other(tmp_path):
    """`run_with_counterfactual` runs the counterfactual in a forked process (it wrote
    its own pid) beside the reform; the tables are those of the runs in turn."""
    marker = tmp_path / "child.pid"
    out = _in_fresh_python(
        f"""
        real = results._counterfactual_in_child
        def child(*args):
            open({str(marker)!r}, "w").write(str(os.getpid()))
            real(*args)
        results._counterfactual_in_child = child
        side = results.run_with_counterfactual(scenario, side_by_side=True)
        turn = results.run_with_counterfactual(scenario, side_by_side=False)
        for a, b in zip(side, turn, strict=True):
            assert a.seed == b.seed and a.scenario == b.scenario
            assert set(a.tables) == set(b.tables)
            for name in a.tables:
                pd.testing.assert_frame_equal(a.tables[name], b.tables[name], obj=name)
        print("parent", parent)
        """
    )
    assert marker.exists() and marker.read_text() != out.split()[-1]


def test_a_counterfactual_that_fails_in_its_process_fails_the_pair():
    """The forked process inherits the patched `run_scenario`: its error is raised in
    the parent (not a hang, nor a reform written alone); a process that dies without a
    word is reported with its exit code."""
    _in_fresh_python(
        """
        real = results.run_scenario
        def failing(scenario, *args, **kwargs):
            if scenario.name.endswith(SUFFIX):
                raise ValueError("the counterfactual broke")
            return real(scenario, *args, **kwargs)
        results.run_scenario = failing
        try:
            results.run_with_counterfactual(scenario, side_by_side=True)
        except ValueError as error:
            assert "the counterfactual broke" in str(error)
        else:
            raise AssertionError("no error")
        def dying(scenario, *args, **kwargs):
            if scenario.name.endswith(SUFFIX):
                assert os.getpid() != parent, "the counterfactual ran in the parent"
                os._exit(7)
            return real(scenario, *args, **kwargs)
        results.run_scenario = dying
        try:
            results.run_with_counterfactual(scenario, side_by_side=True)
        except RuntimeError as error:
            assert "exit code 7" in str(error), error
        else:
            raise AssertionError("no error")
        """
    )
