"""Generate `scenarios/base.yaml` from the schema, so the documented defaults cannot drift.

    python -m edusim.scenario.document > scenarios/base.yaml

Every parameter appears with its description, unit, admissible range and source.
"""

from __future__ import annotations

import sys
import types
import typing
from collections.abc import Iterator
from typing import Any

import yaml
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from edusim.scenario.groups import DEFAULT_KINDS, GroupKindParams
from edusim.scenario.schema import District, Scenario, TimelineEvent

HEADER = """\
# edusim base scenario: every parameter with its default, unit, range and source.
# GENERATED from src/edusim/scenario/schema.py by `python -m edusim.scenario.document`;
# edit the schema, not this file (a test checks that the two agree).
#
# A place's scenario starts with `extends: base.yaml` and sets `name`, `city` and what
# differs. Sources: "digest" = shared/domain/POLICY-DIGEST.md; "sources §N" =
# shared/domain/PARAMETER-SOURCES.md section N; "assumption" = our modelling choice.
"""


def _range(info: FieldInfo) -> str:
    bounds = {"ge": ">=", "gt": ">", "le": "<=", "lt": "<"}
    parts = []
    for meta in info.metadata:
        for attribute, symbol in bounds.items():
            value = getattr(meta, attribute, None)
            if value is not None:
                parts.append(f"{symbol} {value}")
    return ", ".join(parts) or "any"


def _meta(info: FieldInfo) -> dict[str, str]:
    extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
    return {"unit": str(extra.get("unit", "")), "source": str(extra.get("source", ""))}


def _item_model(annotation: Any) -> type[BaseModel] | None:
    """The model of a `tuple[Model, ...]` field (lists of districts, groups, rules)."""
    if typing.get_origin(annotation) is tuple:
        inner = typing.get_args(annotation)[0]
        if isinstance(inner, type) and issubclass(inner, BaseModel):
            return inner
    return None


def _optional_model(annotation: Any) -> type[BaseModel] | None:
    """The model of a `Model | None` field (a timeline event's school change: its keys are
    documented one by one; other optional blocks keep their one-line description)."""
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        models = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(models) == 1 and isinstance(models[0], type) and issubclass(models[0], BaseModel):
            return models[0]
    return None


def _row(path: str, info: FieldInfo, default: Any = None) -> dict[str, Any]:
    meta = _meta(info)
    return {
        "path": path,
        "default": default
        if default is not None
        else (None if info.is_required() else info.default),
        "required": info.is_required(),
        "unit": meta["unit"],
        "source": meta["source"],
        "range": _range(info),
        "description": info.description or "",
    }


def parameter_rows(model: type[BaseModel] = Scenario, prefix: str = "") -> Iterator[dict[str, Any]]:
    """Every leaf parameter of the schema: path, default, unit, range, source, description.

    List items are documented once under `path[]`; group kinds under `groups.kinds.<kind>`.
    """
    for name, info in model.model_fields.items():
        path = f"{prefix}{name}"
        annotation = info.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            yield from parameter_rows(annotation, f"{path}.")
        elif (item := _item_model(annotation)) is not None:
            yield from parameter_rows(item, f"{path}[].")
        elif model is TimelineEvent and (optional := _optional_model(annotation)) is not None:
            yield from parameter_rows(optional, f"{path}.")  # a school change's keys
        elif path == "groups.kinds":
            for kind, values in DEFAULT_KINDS.items():
                for field, field_info in GroupKindParams.model_fields.items():
                    yield _row(f"{path}.{kind}.{field}", field_info, getattr(values, field))
        else:
            yield _row(path, info)


def _comment(row: dict[str, Any], indent: str) -> list[str]:
    lines = [f"{indent}# {row['description']}"]
    detail = f"unit: {row['unit'] or '-'} | range: {row['range']} | source: {row['source'] or '-'}"
    lines.append(f"{indent}# {detail}")
    return lines


def _scalar(value: Any) -> str:
    return yaml.safe_dump(value, default_flow_style=True).strip().removesuffix("...").strip()


def _list_comment(path: str, item: type[BaseModel], indent: str) -> list[str]:
    lines = [f"{indent}# each entry of {path}:"]
    for row in parameter_rows(item, ""):
        default = "required" if row["required"] else f"default {_scalar(row['default'])}"
        lines.append(
            f"{indent}#   {row['path']}: {row['description']} ({default}; unit "
            f"{row['unit'] or '-'}; source {row['source'] or '-'})"
        )
    return lines


def _section(name: str, model: type[BaseModel], rows: dict[str, dict[str, Any]]) -> list[str]:
    lines = [f"{name}:"]
    for field_name, info in model.model_fields.items():
        path = f"{name}.{field_name}"
        if (item := _item_model(info.annotation)) is not None:
            lines += _list_comment(path, item, "  ")
            lines.append(f"  {field_name}: []")
        elif path == "groups.kinds":
            lines.append(
                "  # mechanism strengths per kind of group; a scenario overrides single values"
            )
            lines.append("  kinds:")
            for kind in DEFAULT_KINDS:
                lines.append(f"    {kind}:")
                for field in GroupKindParams.model_fields:
                    row = rows[f"{path}.{kind}.{field}"]
                    lines += _comment(row, "      ")
                    lines.append(f"      {field}: {_scalar(row['default'])}")
        else:
            row = rows[path]
            lines += _comment(row, "  ")
            lines.append(f"  {field_name}: {_scalar(row['default'])}")
    return [*lines, ""]


def base_yaml() -> str:
    """The text of scenarios/base.yaml."""
    rows = {row["path"]: row for row in parameter_rows()}
    lines = [HEADER, "# Required in every place's file (no default here):"]
    lines.append("#   name: short name used for result folders")
    lines += _list_comment("city.districts", District, "")
    lines.append("")
    for name, info in Scenario.model_fields.items():
        annotation = info.annotation
        if name in ("name", "city"):
            continue
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            lines += _section(name, annotation, rows)
        elif (item := _item_model(annotation)) is not None:
            lines += _list_comment(name, item, "")
            lines += [
                "# they take effect at the first 1 September on or after their date.",
                f"{name}: []",
                "",
            ]
        else:
            lines += _comment(rows[name], "")
            lines += [f"{name}: {_scalar(rows[name]['default'])}", ""]
    return "\n".join(lines)


def _cell(value: Any) -> str:
    text = _scalar(value) if value is not None else "required"
    return text.replace("|", "\\|")


def parameters_markdown() -> str:
    """The text of docs/parameters.md: every parameter with unit, default, range, source."""
    lines = [
        "# Parameters",
        "",
        "Generated from the schema (`python -m edusim.scenario.document --parameters`); do not",
        'edit by hand. `[]` marks a field of each entry of a list. Sources: "digest" =',
        'shared/domain/POLICY-DIGEST.md, "sources §N" = shared/domain/PARAMETER-SOURCES.md,',
        '"assumption" = our modelling choice, "scenario file" = set by each place\'s file.',
        "Every number must be finite (no `.inf` or `nan`) and a number, not `true`/`false`.",
        "",
        "| parameter | default | unit | range | source | description |",
        "|---|---|---|---|---|---|",
    ]
    for row in parameter_rows():
        cells = [
            f"`{row['path']}`",
            _cell(None if row["required"] else row["default"]),
            row["unit"] or "-",
            row["range"],
            row["source"] or "-",
            row["description"],
        ]
        lines.append("| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.stdout.write(parameters_markdown() if "--parameters" in sys.argv else base_yaml())
