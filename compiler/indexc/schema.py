"""JSON Schemas for spec and target files, generated from the same pydantic models the loader uses.

An editor with yaml-language-server then completes keys and flags mistakes as they are typed. The
schemas describe what a file may hold; the compiler's own checks (references, weights, lineage)
still run in `indexc validate`, which an editor cannot do.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from indexc.migrate import CURRENT_VERSION, LANGUAGE_KEY
from indexc.spec import KINDS
from indexc.spec.sources import SOURCE_LAYOUTS
from indexc.spec.targets import TARGET_MODELS

DIALECT = "https://json-schema.org/draft/2020-12/schema"

BARE_METHOD = ("Treatment", "Normalisation", "Aggregation")
"""Models a spec may also write as their bare method name (`normalise: zscore`)."""
BARE_ITEMS = (("LineageEvent", "to"), ("Lens", "metrics"), ("Neighbours", "features"))
"""Lists whose entries may also be bare codes or ids (a successor's code; a metric of weight 1)."""


def _models(
    models: list[type[BaseModel]],
) -> tuple[dict[type[BaseModel], dict[str, Any]], dict[str, Any]]:
    refs, definitions = models_json_schema(
        [(m, "validation") for m in models], ref_template="#/$defs/{model}", by_alias=True
    )
    return {model: refs[(model, "validation")] for model in models}, definitions.get("$defs", {})


def _language() -> dict[str, Any]:
    return {
        "const": CURRENT_VERSION,
        "description": "The spec language version this file is written in.",
    }


def spec_schema() -> dict[str, Any]:
    """One schema for every spec file: `indexc: 2` and any of the kinds, each a list of entries."""
    kinds = KINDS
    models: dict[str, list[type[BaseModel]]] = {}
    for kind in kinds:
        model = kind.model_for({})  # a model, or for sources, which take several, a message
        models[kind.key] = list(SOURCE_LAYOUTS.values()) if isinstance(model, str) else [model]
    refs, definitions = _models([m for group in models.values() for m in group])
    definitions = _shorthands(definitions)
    properties: dict[str, Any] = {LANGUAGE_KEY: _language()}
    for kind in kinds:
        entries = [refs[m] for m in models[kind.key]]
        properties[kind.key] = {
            "type": "array",
            "description": f"A list of {kind.noun} entries.",
            "items": entries[0] if len(entries) == 1 else {"oneOf": entries},
        }
    return {
        "$schema": DIALECT,
        "title": "indexc spec file",
        "type": "object",
        "required": [LANGUAGE_KEY],
        "properties": properties,
        "additionalProperties": False,
        "$defs": definitions,
    }


def target_schema() -> dict[str, Any]:
    """A target file: `indexc: 2` and one of the targets' models."""
    refs, definitions = _models(list(TARGET_MODELS.values()))
    choices = []
    for model in TARGET_MODELS.values():
        choices.append({"allOf": [refs[model], {"properties": {LANGUAGE_KEY: _language()}}]})
    definitions = {name: _allow_language(d) for name, d in definitions.items()}
    return {
        "$schema": DIALECT,
        "title": "indexc target file",
        "type": "object",
        "required": [LANGUAGE_KEY],
        "oneOf": [refs[m] for m in TARGET_MODELS.values()],
        "$defs": definitions,
    }


def _allow_language(definition: dict[str, Any]) -> dict[str, Any]:
    """A target model forbids unknown keys; its file also starts with `indexc: 2`."""
    if "target" in definition.get("properties", {}):
        definition = {
            **definition,
            "properties": {LANGUAGE_KEY: _language(), **definition["properties"]},
            "required": [LANGUAGE_KEY, *definition.get("required", [])],
        }
    return definition


def _shorthands(definitions: dict[str, Any]) -> dict[str, Any]:
    """What the models' before-validators accept besides their full form, which pydantic cannot see."""
    definitions = dict(definitions)
    for name in BARE_METHOD:
        if name in definitions:
            methods = definitions[name]["properties"]["method"]
            definitions[name] = {
                "anyOf": [{"type": "string", "enum": methods["enum"]}, definitions[name]]
            }
    for name, field in BARE_ITEMS:
        if name in definitions:
            model = definitions[name]
            items = model["properties"][field]["items"]
            model["properties"][field] = {
                **model["properties"][field],
                "items": {"anyOf": [{"type": "string"}, items]},
            }
    return definitions
