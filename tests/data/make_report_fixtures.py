"""Make the small stored result sets the figure and report tests render (tests/data/report/).

    python tests/data/make_report_fixtures.py

- run/: the demo city for 3 years with tight groups (primary) and alliances (junior)
  formed in 2018, so there are groups and teacher postings; written by results.write_run,
  plus an `effect` table against the same city without groups (same seed), in the
  columns `edusim run --counterfactual` writes (year, metric, unit, direction, reform,
  counterfactual, difference), listed with its checksum in manifest.json.
- compare/: a paired comparison (no groups vs tight groups), 3 replications, 3 years.
- morris/: a Morris screening of two parameters (3 trajectories, 1 replication, 2 years),
  with sensitivity.csv.

Experiment folders keep what a report reads (their parts/ are removed). Everything is
seeded: rerunning gives the same tables (manifests keep their times and paths).
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sys
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "tests" / "data" / "report"
DEMO = ROOT / "scenarios" / "demo.yaml"
GROUP_RULES = [
    {"name": "T-primary", "kind": "tight", "formed": "2018-09-01", "stage": "primary"},
    {"name": "A-junior", "kind": "alliance", "formed": "2018-09-01", "stage": "junior"},
]
METRICS = [
    "quality_sd",
    "quality_quartile_gap",
    "within_group_gap",
    "high_quality_share",
    "premium_top_decile_cny",
]

COMPARE = f"""\
name: report-compare
description: No groups vs tight groups on the demo city (report test fixture).
scenario: ../../../scenarios/demo.yaml
years: 3
replications: 3
seed: 5
metrics: {METRICS}
variants:
  no-groups: {{}}
  tight:
    set:
      groups.rules:
        - {{name: T-primary, kind: tight, formed: 2018-09-01, stage: primary, target_share: 0.6}}
        - {{name: T-junior, kind: tight, formed: 2018-09-01, stage: junior, target_share: 0.6}}
design:
  kind: compare
  baseline: no-groups
"""

MORRIS = """\
name: report-morris
description: Morris screening of two parameters (report test fixture).
scenario: ../../../scenarios/demo.yaml
years: 2
replications: 1
seed: 9
metrics: [quality_sd, achievement_sd, premium_mean_cny]
design:
  kind: morris
  trajectories: 3
  levels: 4
  parameters:
    learning.peer_effect: [0.0, 0.08]
    housing.adjust_speed: [0.02, 0.4]
"""


def effect_rows(reform: pd.DataFrame, counterfactual: pd.DataFrame) -> pd.DataFrame:
    """Reform - counterfactual per year and metric, as `edusim run --counterfactual`."""
    from edusim.metrics import METRICS as REGISTRY

    left = reform[["year", "metric", "value"]].rename(columns={"value": "reform"})
    right = counterfactual[["year", "metric", "value"]].rename(columns={"value": "counterfactual"})
    merged = left.merge(right, on=["year", "metric"], how="outer")
    merged["difference"] = merged["reform"] - merged["counterfactual"]
    merged["unit"] = [REGISTRY[m].unit for m in merged["metric"]]
    merged["direction"] = [REGISTRY[m].direction for m in merged["metric"]]
    columns = ["year", "metric", "unit", "direction", "reform", "counterfactual", "difference"]
    return merged[columns]


def make_run(out: Path) -> None:
    from edusim.results import run_scenario, write_run, write_table

    rules = [{**rule, "target_share": 0.6} for rule in GROUP_RULES]
    reform = run_scenario(DEMO, 7, years=3, overrides={"groups.rules": rules})
    counterfactual = run_scenario(DEMO, 7, years=3)
    write_run(reform, out, "parquet", ["edusim", "run", "scenarios/demo.yaml", "--years", "3"])
    effect = effect_rows(reform.tables["metrics"], counterfactual.tables["metrics"])
    list_in_manifest(out, "effect", write_table(effect, out / "effect", "csv"), len(effect))


def list_in_manifest(out: Path, name: str, path: Path, rows: int) -> None:
    """Record a table added after write_run in manifest.json, with its checksum, as
    write_run records its own (reports verify every table against the manifest)."""
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    manifest["tables"][name] = {"file": path.name, "rows": rows, "sha256": digest}
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")


def make_experiment(text: str, out: Path) -> None:
    from edusim.experiment import run_experiment

    spec = OUT / f"{out.name}.yaml"
    spec.write_text(text, encoding="utf-8")
    run_experiment(spec, workers=1, out=out)
    shutil.rmtree(out / "parts")
    spec.unlink()


def main() -> None:
    shutil.rmtree(OUT, ignore_errors=True)
    OUT.mkdir(parents=True)
    make_run(OUT / "run")
    make_experiment(COMPARE, OUT / "compare")
    make_experiment(MORRIS, OUT / "morris")
    size = sum(p.stat().st_size for p in OUT.rglob("*") if p.is_file())
    sys.stdout.write(f"wrote {OUT} ({size / 1024:.0f} KiB)\n")


if __name__ == "__main__":
    main()
