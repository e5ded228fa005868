"""Re-measure the pattern tests' figures and write tests/patterns/measured.json:

    python tests/patterns/measure.py            # every pattern in measured.MEASURED_BY
    python tests/patterns/measure.py sorting    # one of them (the others are kept)

Run it after a deliberate change of the model, then read the diff of measured.json and
check the bands of the pattern tests against the new figures (a band that no longer
holds is a finding about the model, not a number to move silently).
"""

from __future__ import annotations

import importlib
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))  # `tests.patterns` importable when run as a script

from tests.patterns.measured import FILE, MEASURED_BY, recorded  # noqa: E402

from edusim.experiment.plan import model_fingerprint  # noqa: E402


def main(argv: list[str]) -> int:
    names = argv or list(MEASURED_BY)
    unknown = [name for name in names if name not in MEASURED_BY]
    if unknown:
        print(f"unknown measurement {unknown[0]!r}; known: {', '.join(MEASURED_BY)}")
        return 2
    data = recorded()
    patterns = data.setdefault("patterns", {})
    for name in names:
        module = importlib.import_module(f"tests.patterns.{MEASURED_BY[name]}")
        print(f"measuring {name} ...", flush=True)
        figures = json.loads(json.dumps(module.measure()))
        patterns[name] = {"fingerprint": model_fingerprint(), "figures": figures}
    FILE.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {FILE}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
