"""Reports and figures read stored tables: importing them loads no simulator code (the
model, its agents, Mesa, numba, the metric registry) and no scipy, which cost about 3 CPU-s
before a report could start."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

SIMULATOR = ("mesa", "numba", "scipy", "simpy", "pydantic")
SIMULATOR_MODULES = ("edusim.model", "edusim.metrics", "edusim.agents", "edusim.experiment")

PROBE = """
import json, sys
import {module}
loaded = sorted(
    name for name in sys.modules
    if name.split(".")[0] in {roots} or name.startswith({prefixes})
)
print(json.dumps(loaded))
"""


# edusim.report.calibration: build_report imports it to ask whether a folder is a calibration
@pytest.mark.parametrize(
    "module", ["edusim.report", "edusim.plots", "edusim.loading", "edusim.report.calibration"]
)
def test_reading_results_imports_no_simulator(module):
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            PROBE.format(module=module, roots=SIMULATOR, prefixes=SIMULATOR_MODULES),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(done.stdout.strip().splitlines()[-1]) == []
