"""The scenarios that ship with edusim, found by name (`demo`, `hangzhou`, ...).

In a source checkout they are the repository's `scenarios/*.yaml`; in an installed
wheel the build copies the same files into `edusim/scenarios/` (setup.py's build step),
so there is one copy in git and `edusim run demo` works wherever edusim is installed.
A name is looked up only when no file of that name exists, so a user's own
`demo.yaml` or a path always wins.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

_PACKAGE_DIR = Path(__file__).resolve().parents[1]

SCENARIO_FOLDERS: tuple[Path, ...] = (
    _PACKAGE_DIR / "scenarios",  # an installed wheel
    _PACKAGE_DIR.parents[1] / "scenarios",  # a source checkout (src layout)
)

NAME_PATTERN = re.compile(r"^[A-Za-z0-9_-]+$")


def scenario_folder() -> Path | None:
    """The folder of the shipped scenarios, or None if this installation has none."""
    for folder in SCENARIO_FOLDERS:
        if (folder / "base.yaml").is_file():
            return folder
    return None


def shipped_scenarios() -> dict[str, Path]:
    """Name -> file of every shipped scenario, in name order."""
    folder = scenario_folder()
    if folder is None:
        return {}
    return {path.stem: path for path in sorted(folder.glob("*.yaml"))}


def describe_shipped() -> dict[str, str]:
    """Name -> the scenario's `description` (empty if it has none), for `edusim scenarios`."""
    descriptions = {}
    for name, path in shipped_scenarios().items():
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        descriptions[name] = str(data.get("description", "")).strip()
    return descriptions


def locate(source: str | Path) -> Path:
    """The file `source` names: an existing path as given, else a shipped scenario of
    that name (`demo` or `demo.yaml`), else the path as given (whose reading then fails
    with 'file not found')."""
    path = Path(source)
    if path.exists():
        return path
    text = str(source)
    stem = text[: -len(".yaml")] if text.endswith(".yaml") else text
    if NAME_PATTERN.match(stem):
        found = shipped_scenarios().get(stem)
        if found is not None:
            return found
    return path
