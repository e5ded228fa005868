"""Rewrite the reference images of tests/plots/reference/ after a deliberate change of a
figure (the test never writes them):

    python tests/data/update_reference_images.py [trajectories] [city_map]

Look at the new images (git diff shows they changed) before committing them.
"""

from __future__ import annotations

import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "plots"))

from reference_figures import KINDS, REFERENCE, load_sources, save_reference_figure


def main(argv: list[str]) -> int:
    kinds = argv or list(KINDS)
    unknown = sorted(set(kinds) - set(KINDS))
    if unknown:
        print(f"unknown figure {unknown[0]!r}; expected one of {', '.join(KINDS)}")
        return 2
    compare_source, run_source = load_sources()
    REFERENCE.mkdir(exist_ok=True)
    for kind in kinds:
        path = save_reference_figure(kind, compare_source, run_source, REFERENCE / f"{kind}.png")
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
