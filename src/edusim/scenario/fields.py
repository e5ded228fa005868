"""Parameter declaration: every scenario field carries a unit, a source and a description."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class Section(BaseModel):
    """A closed, immutable block of a scenario: unknown keys are errors, values never change."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def param(
    default: Any,
    *,
    unit: str,
    source: str,
    description: str,
    ge: float | None = None,
    le: float | None = None,
    gt: float | None = None,
    lt: float | None = None,
) -> Any:
    """Declare a scenario parameter with its unit, its source and its admissible range.

    `source` cites POLICY-DIGEST.md, PARAMETER-SOURCES.md or a paper, or says "assumption".
    """
    return Field(
        default,
        description=description,
        ge=ge,
        le=le,
        gt=gt,
        lt=lt,
        json_schema_extra={"unit": unit, "source": source},
    )


def entry(
    default: Any = ...,
    *,
    unit: str,
    description: str,
    source: str = "scenario file",
    **constraints: Any,
) -> Any:
    """Declare a structural field (names, dates, lists) with its unit and source."""
    return Field(
        default,
        description=description,
        json_schema_extra={"unit": unit, "source": source},
        **constraints,
    )


def field_unit(model: type[BaseModel], name: str) -> str:
    """The declared unit of a field ('' when none was declared)."""
    extra = model.model_fields[name].json_schema_extra
    return str(extra.get("unit", "")) if isinstance(extra, dict) else ""


def field_source(model: type[BaseModel], name: str) -> str:
    """The declared source of a field ('' when none was declared)."""
    extra = model.model_fields[name].json_schema_extra
    return str(extra.get("source", "")) if isinstance(extra, dict) else ""
