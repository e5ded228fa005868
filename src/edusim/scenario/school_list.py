"""A researcher's own list of schools (`city.schools_file`): reading and checking it.

One row per school site, CSV (UTF-8, a header row) or GeoJSON (a FeatureCollection of
Points, the columns as properties and the point as longitude and latitude):

| column | required | meaning |
|---|---|---|
| name | yes | the school's name, unique in the file |
| district | yes | the district it lies in (a `city.districts` name) |
| stage | yes | primary or junior |
| sector | yes | public or private (民办) |
| capacity | yes | places (pupils), at least 1 |
| enrolment | yes | pupils enrolled at the start year |
| lon, lat | one pair | longitude and latitude (degrees; needs the real map) |
| x_km, y_km | one pair | position on the city's map (km) |
| key_school | no | yes / no: a famous (key) school; empty: by the scenario's rule |
| owner | no | city / district / county: owner level; empty: by the rule |
| group, group_role, group_kind | no | a group (集团) the school belongs to, as core or member, of a kind of `groups.kinds`; the group exists from the start year |

Every problem names the file's key path, the row (counted from 1 after the header) and
the column, like a YAML path: `city.schools_file[row 4].capacity`.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REQUIRED = ("name", "district", "stage", "sector", "capacity", "enrolment")
COORDINATES = (("lon", "lat"), ("x_km", "y_km"))
OPTIONAL = ("key_school", "owner", "group", "group_role", "group_kind")
STAGES = ("primary", "junior")
SECTORS = ("public", "private")
OWNERS = ("city", "district", "county")
YES, NO = ("yes", "true", "1", "y"), ("no", "false", "0", "n")
MAX_ROWS = 100_000
KEY = "city.schools_file"


@dataclass(frozen=True)
class ListedSchool:
    """One row of the list, checked."""

    row: int
    name: str
    district: int
    stage: int
    private: bool
    capacity: int
    enrolment: int
    x: float  # lon or x_km
    y: float  # lat or y_km
    key_school: bool | None
    owner: str | None
    group: str | None
    group_role: str | None
    group_kind: str | None


@dataclass(frozen=True)
class SchoolList:
    """The checked rows and whether their positions are longitude and latitude."""

    path: Path
    schools: tuple[ListedSchool, ...]
    lonlat: bool


def _where(row: int | None = None, column: str | None = None) -> str:
    path = KEY if row is None else f"{KEY}[row {row}]"
    return f"{path}.{column}" if column else path


def _read_rows(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    """Header and rows (as text) of a CSV or GeoJSON file."""
    if path.suffix.lower() in (".geojson", ".json"):
        data = json.loads(path.read_text(encoding="utf-8"))
        rows = []
        for feature in data.get("features", []):
            properties = {k: "" if v is None else str(v) for k, v in feature["properties"].items()}
            geometry = feature.get("geometry") or {}
            if geometry.get("type") == "Point":
                lon, lat = geometry["coordinates"][:2]
                properties.update(lon=str(lon), lat=str(lat))
            rows.append(properties)
        header = list(dict.fromkeys(key for row in rows for key in row))
        return header, rows
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        header = [h.strip() for h in reader.fieldnames or []]
        rows = [
            {(k or "").strip(): (v or "").strip() for k, v in row.items()}
            for _, row in zip(range(MAX_ROWS + 1), reader, strict=False)
        ]
    return header, rows


def read_school_list(path: Path, district_names: list[str]) -> tuple[SchoolList | None, list]:
    """The checked list, or None and its problems as (path, message) pairs."""
    try:
        header, rows = _read_rows(path)
    except FileNotFoundError:
        return None, [(KEY, f"file not found: {path}")]
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError) as error:
        return None, [(KEY, f"cannot read {path.name} as CSV or GeoJSON ({error})")]
    missing = [c for c in REQUIRED if c not in header]
    pairs = [pair for pair in COORDINATES if all(c in header for c in pair)]
    problems: list[tuple[str, str]] = []
    for column in missing:
        problems.append(
            (
                _where(column=column),
                f"{path.name} has no column '{column}' (expected columns "
                f"{', '.join(REQUIRED)} and lon, lat or x_km, y_km)",
            )
        )
    if not pairs:
        problems.append(
            (
                _where(column="lon"),
                f"{path.name} has no coordinates: expected columns lon and lat (degrees) "
                "or x_km and y_km",
            )
        )
    if len(rows) > MAX_ROWS:
        problems.append((KEY, f"{path.name} has more than {MAX_ROWS:,} rows"))
    if not rows:
        problems.append((KEY, f"{path.name} lists no school"))
    if problems:
        return None, problems
    xc, yc = pairs[0]
    seen: dict[str, int] = {}
    schools = []
    for number, row in enumerate(rows, start=1):
        found = _row(number, row, xc, yc, district_names, seen)
        if isinstance(found, ListedSchool):
            schools.append(found)
        else:
            problems += found
    problems += _group_problems(schools)
    if problems:
        return None, problems
    return SchoolList(path, tuple(schools), lonlat=xc == "lon"), []


def _number(text: str, row: int, column: str, integer: bool, low: float):
    try:
        value = int(text) if integer else float(text)
    except ValueError:
        kind = "a whole number" if integer else "a number"
        return None, (_where(row, column), f"'{text}' is not {kind}")
    if not value >= low or value != value or value in (float("inf"), float("-inf")):
        return None, (_where(row, column), f"{value} is out of range: expected at least {low:g}")
    return value, None


def _row(number, row, xc, yc, district_names, seen) -> ListedSchool | list:
    problems = []
    name = row.get("name", "")
    if not name:
        problems.append((_where(number, "name"), "empty: every school needs a name"))
    elif name in seen:
        problems.append(
            (
                _where(number, "name"),
                f"school '{name}' appears twice (rows {seen[name]} and {number})",
            )
        )
    else:
        seen[name] = number

    def choice(column: str, allowed: tuple[str, ...]) -> str | None:
        value = row.get(column, "").lower()
        if value not in allowed:
            problems.append(
                (
                    _where(number, column),
                    f"'{row.get(column, '')}': expected {' or '.join(allowed)}",
                )
            )
            return None
        return value

    stage, sector = choice("stage", STAGES), choice("sector", SECTORS)
    district = row.get("district", "")
    if district not in district_names:
        problems.append(
            (
                _where(number, "district"),
                f"'{district}' is not a district of the city (expected one of "
                f"{', '.join(district_names)})",
            )
        )
    values = {}
    for column, integer, low in (("capacity", True, 1), ("enrolment", True, 0)):
        values[column], problem = _number(row.get(column, ""), number, column, integer, low)
        if problem:
            problems.append(problem)
    for column in (xc, yc):
        values[column], problem = _number(row.get(column, ""), number, column, False, -1e9)
        if problem:
            problems.append(problem)
    key = row.get("key_school", "").lower()
    if key and key not in YES + NO:
        problems.append((_where(number, "key_school"), f"'{key}': expected yes, no or empty"))
    owner = row.get("owner", "").lower() or None
    if owner and owner not in OWNERS:
        problems.append((_where(number, "owner"), f"'{owner}': expected city, district or county"))
    group = row.get("group", "") or None
    role = row.get("group_role", "").lower() or None
    if group and role not in ("core", "member"):
        problems.append((_where(number, "group_role"), f"'{role or ''}': expected core or member"))
    if group and sector == "private":
        problems.append((_where(number, "group"), "private schools do not join groups"))
    if problems:
        return problems
    return ListedSchool(
        row=number,
        name=name,
        district=district_names.index(district),
        stage=STAGES.index(stage),
        private=sector == "private",
        capacity=values["capacity"],
        enrolment=values["enrolment"],
        x=values[xc],
        y=values[yc],
        key_school=None if not key else key in YES,
        owner=owner,
        group=group,
        group_role=role if group else None,
        group_kind=(row.get("group_kind", "") or None) if group else None,
    )


def _group_problems(schools: list[ListedSchool]) -> list[tuple[str, str]]:
    """Each group has exactly one core, at least one member and one kind."""
    problems = []
    groups: dict[str, list[ListedSchool]] = {}
    for school in schools:
        if school.group:
            groups.setdefault(school.group, []).append(school)
    for name, rows in groups.items():
        cores = [s for s in rows if s.group_role == "core"]
        kinds = {s.group_kind for s in rows}
        first = rows[0].row
        if len(cores) != 1:
            problems.append(
                (
                    _where(first, "group_role"),
                    f"group '{name}' has {len(cores)} cores: expected one",
                )
            )
        if len(rows) < 2:
            problems.append((_where(first, "group"), f"group '{name}' has no member"))
        if len(kinds) != 1 or None in kinds:
            problems.append(
                (_where(first, "group_kind"), f"group '{name}' needs one group_kind on every row")
            )
    return problems


def explicit_groups(schools: SchoolList, start_year: int) -> list[dict[str, Any]]:
    """The list's groups as `groups.explicit` entries, formed at the start year."""
    groups: dict[str, list[ListedSchool]] = {}
    for school in schools.schools:
        if school.group:
            groups.setdefault(school.group, []).append(school)
    return [
        {
            "name": name,
            "kind": rows[0].group_kind,
            "core": next(s.name for s in rows if s.group_role == "core"),
            "members": [s.name for s in rows if s.group_role == "member"],
            "formed": f"{start_year}-09-01",
        }
        for name, rows in groups.items()
    ]
