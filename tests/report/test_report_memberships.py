"""The memberships table from a run to its report: written with a checksum, read back,
and the convergence figure's data show the cores of every kind of group."""

from __future__ import annotations

import hashlib
import json

from edusim.report.build import run_figures
from edusim.report.sources import load_results
from edusim.results import run_scenario, write_run

RULES = [
    {"name": "T", "kind": "tight", "formed": "2018-09-01", "stage": "primary", "target_share": 0.6},
    {
        "name": "C",
        "kind": "community",
        "formed": "2018-09-01",
        "stage": "primary",
        "member_pool": ["rural"],
        "cross_district": True,
        "target_share": 0.6,
    },
]


def test_convergence_of_a_written_run_counts_every_kind_of_group(demo_path, tmp_path):
    result = run_scenario(demo_path, 5, years=2, overrides={"groups.rules": RULES})
    folder = write_run(result, tmp_path / "run", "csv")
    manifest = json.loads((folder / "manifest.json").read_text())
    entry = manifest["tables"]["memberships"]
    assert entry["file"] == "memberships.csv"
    assert entry["sha256"] == hashlib.sha256((folder / entry["file"]).read_bytes()).hexdigest()
    assert entry["rows"] == len(result.tables["memberships"]) > 0

    source = load_results(folder)
    specs, _ = run_figures(source)
    spec = next(s for s in specs if s.name == "group_convergence")
    data = spec.data()
    memberships = result.tables["memberships"]
    final = memberships[memberships["year"] == memberships["year"].max()]
    last = data[data["year"] == data["year"].max()].set_index(["group_kind", "role"])["n"]
    for kind in ("tight", "community"):
        cores = final[(final["group_kind"] == kind) & (final["role"] == "core")]
        assert last[(kind, "core")] == cores["school"].nunique() > 0
    schools = result.tables["schools"]
    headline = schools[schools["year"] == schools["year"].max()]
    both = set(final.loc[final["group_kind"] == "tight", "school"]) & set(
        final.loc[final["group_kind"] == "community", "school"]
    )
    assert both  # schools in two kinds, counted in each panel, in `schools` only as tight
    assert set(headline.loc[headline["school"].isin(both), "group_kind"]) == {"tight"}
    assert "counts in each" in spec.caption(data, "en")
