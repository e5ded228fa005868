"""A JSON Schema of scenario files, for editors' YAML support (`edusim schema`).

Pydantic's schema describes a complete, resolved scenario. A scenario *file* may also
say `extends: parent.yaml` and then leave out anything its parent sets, and a parent
(like `base.yaml`) holds defaults without a name or a city, so the schema adds `extends`
and requires no top-level key: every key is still checked for its spelling, type and
range. The loader checks the rest when the scenario is used (required keys, cross-key
checks, YAML paths); the schema is for completion and early warnings in the editor.
"""

from __future__ import annotations

import copy
from typing import Any

from edusim.scenario.schema import Scenario

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"


def scenario_json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a scenario file, `extends` included."""
    schema = copy.deepcopy(Scenario.model_json_schema())
    schema["$schema"] = SCHEMA_DIALECT
    schema["title"] = "edusim scenario file"
    schema["properties"] = {
        "extends": {
            "type": "string",
            "title": "Extends",
            "description": "Scenario file this one starts from, relative to this file "
            "(e.g. base.yaml); keys set here replace or deepen the parent's.",
        },
        **schema["properties"],
    }
    schema.pop("required", None)
    city_name = schema["properties"]["city"]["$ref"].rsplit("/", 1)[-1]
    schema["$defs"][city_name].pop("required", None)  # a place may set only its layout
    return schema


def province_json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a province file (`scenario/province.py`): its
    settings and cities, each a place file it extends or a generated city; a city's `set:`
    keys are checked by the loader, not here."""
    from edusim.scenario.province import Province

    schema = copy.deepcopy(Province.model_json_schema())
    schema["$schema"] = SCHEMA_DIALECT
    schema["title"] = "edusim province file"
    return schema
