"""The pattern tests' measured figures, kept in measured.json and written only by
`python tests/patterns/measure.py` (one command re-measures every pattern after a
deliberate change of the model).

Each pattern module that records its figures exposes `measure() -> dict` (JSON-able:
arms, seeds, values) and names it in `MEASURED_BY`. Its tests compute the same figures
live and check them against the file (`assert_as_recorded`), so a docstring can point at
the file instead of quoting numbers that go stale, and each entry records the model
fingerprint it was measured with (`test_measured.py` fails when the model has changed
since).
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

FILE = Path(__file__).resolve().parent / "measured.json"
RE_MEASURE = "python tests/patterns/measure.py"

MEASURED_BY: dict[str, str] = {
    # name in measured.json: module under tests/patterns with a `measure()` function
    "sorting": "test_sorting_patterns",
    "entrusted": "test_entrusted_patterns",
    "enrollment": "test_enrollment_patterns",
    "groups": "test_group_patterns",
    "rotation": "test_rotation_patterns",
    "extremes": "test_extremes",
}


def recorded() -> dict[str, Any]:
    """The whole file (empty if it was never written)."""
    return json.loads(FILE.read_text(encoding="utf-8")) if FILE.exists() else {}


def _jsonable(value: Any) -> Any:
    """Round-trip through JSON (integer seed keys become strings, tuples lists)."""
    return json.loads(json.dumps(value))


def assert_as_recorded(name: str, live: Any, rel: float = 1e-9) -> None:
    """`live` figures equal those in measured.json under `name`."""
    stored = recorded().get("patterns", {}).get(name, {}).get("figures")
    assert stored is not None, f"no measurement '{name}' recorded: run {RE_MEASURE}"
    mismatches = list(_differences(_jsonable(live), stored, name, rel))
    assert not mismatches, (
        f"measured.json is stale for '{name}' ({len(mismatches)} figures differ, first: "
        f"{mismatches[0]}); re-measure with {RE_MEASURE} and review the bands"
    )


def _differences(live: Any, stored: Any, path: str, rel: float):
    if isinstance(live, dict) and isinstance(stored, dict):
        if set(live) != set(stored):
            yield f"{path}: keys {sorted(live)} != {sorted(stored)}"
            return
        for key in live:
            yield from _differences(live[key], stored[key], f"{path}.{key}", rel)
    elif isinstance(live, list) and isinstance(stored, list) and len(live) == len(stored):
        for i, (a, b) in enumerate(zip(live, stored, strict=True)):
            yield from _differences(a, b, f"{path}[{i}]", rel)
    elif isinstance(live, int | float) and isinstance(stored, int | float):
        if not math.isclose(live, stored, rel_tol=rel, abs_tol=1e-12):
            yield f"{path}: live {live!r}, recorded {stored!r}"
    elif live != stored:
        yield f"{path}: live {live!r}, recorded {stored!r}"
