"""Generate `scenarios/base.yaml` from the schema, so the documented defaults cannot drift.

    python -m edusim.scenario.document > scenarios/base.yaml

Every parameter appears with its description, unit, admissible range and source.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from typing import Any

import yaml
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from edusim.scenario.schema import District, Scenario

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


def parameter_rows(model: type[BaseModel] = Scenario, prefix: str = "") -> Iterator[dict[str, Any]]:
    """Every leaf parameter of the schema: path, default, unit, range, source, description."""
    for name, info in model.model_fields.items():
        path = f"{prefix}{name}"
        annotation = info.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            yield from parameter_rows(annotation, f"{path}.")
            continue
        if name == "districts":
            yield from parameter_rows(District, f"{path}[].")
            continue
        meta = _meta(info)
        yield {
            "path": path,
            "default": None if info.is_required() else info.default,
            "required": info.is_required(),
            "unit": meta["unit"],
            "source": meta["source"],
            "range": _range(info),
            "description": info.description or "",
        }


def _comment(row: dict[str, Any], indent: str) -> list[str]:
    lines = [f"{indent}# {row['description']}"]
    detail = f"unit: {row['unit'] or '-'} | range: {row['range']} | source: {row['source'] or '-'}"
    lines.append(f"{indent}# {detail}")
    return lines


def _scalar(value: Any) -> str:
    return yaml.safe_dump(value, default_flow_style=True).strip().removesuffix("...").strip()


def base_yaml() -> str:
    """The text of scenarios/base.yaml."""
    lines = [HEADER]
    defaults = {row["path"]: row for row in parameter_rows()}
    lines.append("# Required in every place's file (no default here):")
    lines.append("#   name: short name used for result folders")
    lines.append("#   city: {districts: [...]} with, for each district:")
    for row in parameter_rows(District, "  "):
        if row["path"].strip() in ("schools", "pupils"):
            row["description"] += " {primary: N, junior: N}"
        default = "required" if row["required"] else f"default {_scalar(row['default'])}"
        lines.append(
            f"#     {row['path'].strip()}: {row['description']} ({default}; "
            f"unit {row['unit'] or '-'}; source {row['source'] or '-'})"
        )
    lines.append("")
    for name, info in Scenario.model_fields.items():
        annotation = info.annotation
        if name in ("name", "city"):
            continue
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            lines.append(f"{name}:")
            for field_name in annotation.model_fields:
                row = defaults[f"{name}.{field_name}"]
                lines += _comment(row, "  ")
                lines.append(f"  {field_name}: {_scalar(row['default'])}")
            lines.append("")
        else:
            row = defaults[name]
            lines += _comment(row, "")
            lines.append(f"{name}: {_scalar(row['default'] if name != 'timeline' else [])}")
            lines.append("")
    lines.append("# timeline entries: {date: YYYY-MM-DD, label: text, set: {dotted.path: value}};")
    lines.append("# they take effect at the first 1 September on or after their date.")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.stdout.write(base_yaml())
