"""Turn loaded files into validated models, reporting schema problems by position.

Each list entry is validated on its own, so one broken entry neither hides the
problems of its neighbours nor stops the semantic rules from checking them.
"""

from __future__ import annotations

import difflib
import types
import typing
from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from indexc.codes import Code
from indexc.errors import Diagnostic
from indexc.load import LANGUAGE_KEY, SpecFile
from indexc.migrate import renamed_key_hint
from indexc.spec import KINDS, Kind
from indexc.spec.base import IDENTIFIER_PATTERN
from indexc.validate.catalog import Catalog, Origin
from indexc.validate.wording import describe, fold_unions, locate, plain_text


def did_you_mean(name: Any, candidates: Iterable[str]) -> str | None:
    matches = difflib.get_close_matches(str(name), sorted(candidates), n=1, cutoff=0.6)
    return f"did you mean '{matches[0]}'?" if matches else None


def _model_in(annotation: Any) -> type[BaseModel] | None:
    """The pydantic model class inside an annotation such as `tuple[Lens, ...] | None`."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        found = _model_in(arg)
        if found is not None:
            return found
    if isinstance(annotation, types.UnionType):
        for arg in annotation.__args__:
            found = _model_in(arg)
            if found is not None:
                return found
    return None


def allowed_keys(model: type[BaseModel], loc: tuple[Any, ...]) -> list[str]:
    """The keys a mapping at `loc` below `model` may have."""
    current: type[BaseModel] | None = model
    for part in loc:
        if current is None:
            return []
        if isinstance(part, int):
            continue
        field = next(
            (f for name, f in current.model_fields.items() if (f.alias or name) == part), None
        )
        current = _model_in(field.annotation) if field else None
    if current is None:
        return []
    return [f.alias or name for name, f in current.model_fields.items()]


def schema_diagnostic(
    error: ErrorDetails, model: type[BaseModel], origin: Origin, label: str
) -> Diagnostic:
    """IX003 for one pydantic error, named by the ids written in the spec (see `wording`)."""
    raw = origin.raw()
    is_key = "[key]" in error["loc"]
    kind = error["type"]
    path = locate(raw, tuple(part for part in error["loc"] if part != "[key]"), kind).path
    steps = describe(raw, path)

    def where(words: list[str]) -> str:
        return " > ".join([label, *words])

    if kind == "extra_forbidden":
        allowed = allowed_keys(model, path[:-1])
        hint = (
            renamed_key_hint(path[-1], allowed)
            or did_you_mean(path[-1], allowed)
            or (f"allowed keys here: {', '.join(allowed)}" if allowed else None)
        )
        return Diagnostic(
            Code.SCHEMA_VIOLATION,
            f"{where(steps[:-1])}: unknown key '{path[-1]}'",
            origin.location(*path, key=True),
            hint,
        )
    if kind == "missing" and path and path[-1] == error["loc"][-1]:
        return Diagnostic(
            Code.SCHEMA_VIOLATION,
            f"{where(steps[:-1])}: required key '{path[-1]}' is missing",
            origin.location(*path[:-1]),
            f"add '{path[-1]}:' here",
        )
    return Diagnostic(
        Code.SCHEMA_VIOLATION,
        f"{where(steps)}: {plain_text(error)}",
        origin.location(*path, key=is_key),
        _hint(error, model, path),
    )


def _hint(error: ErrorDetails, model: type[BaseModel], path: tuple[Any, ...]) -> str | None:
    kind = error["type"]
    if kind == "string_type" and isinstance(error.get("input"), float):
        return f'quote the value, e.g. "{error["input"]}", so it is read as text'
    if (
        kind == "string_pattern_mismatch"
        and error.get("ctx", {}).get("pattern") == IDENTIFIER_PATTERN
    ):
        return "use lower-case letters, digits and underscores, starting with a letter"
    if kind.startswith("date_"):
        return "write a date as YYYY-MM-DD, such as 2021-04-01"
    if kind in ("tuple_type", "list_type"):
        return "write a list, such as [E06000061] or [a, b]"
    if kind in ("model_type", "dict_type", "union"):
        allowed = allowed_keys(model, path)
        return f"a mapping here takes the keys {', '.join(allowed)}" if allowed else None
    return None


def primary_errors(err: ValidationError, raw: Any = None) -> list[ErrorDetails]:
    """Pydantic's errors minus a list's 'too short' when it is short only because an item failed,
    and with the forms a value could take folded into one error when `raw`, the data as written, is given."""
    errors = err.errors(include_url=False)
    failed_inside = [e["loc"] for e in errors if e["type"] != "too_short"]
    errors = [
        e
        for e in errors
        if e["type"] != "too_short"
        or not any(
            loc[: len(e["loc"])] == e["loc"] and len(loc) > len(e["loc"]) for loc in failed_inside
        )
    ]
    return errors if raw is None else fold_unions(errors, raw)


class _Entry(typing.Protocol):
    @property
    def id(self) -> str: ...


def _label(kind: Kind, raw: Any, index: int) -> str:
    if isinstance(raw, dict) and isinstance(raw.get(kind.id_key), str):
        return f"{kind.noun} '{raw[kind.id_key]}'"
    return f"{kind.noun} #{index + 1}"


def _add_entry(
    catalog: Catalog, kind: Kind, raw: Any, origin: Origin, seen: dict, diagnostics: list
) -> None:
    index = origin.path[-1]
    label = _label(kind, raw, index)
    if not isinstance(raw, dict):
        diagnostics.append(
            Diagnostic(
                Code.SCHEMA_VIOLATION,
                f"{label}: each entry of '{kind.key}' must be a mapping",
                origin.location(),
                hint="start the entry with '- id: ...'",
            )
        )
        return
    chosen = kind.model_for(raw)
    if isinstance(chosen, str):
        at = ("layout",) if "layout" in raw else ()
        diagnostics.append(
            Diagnostic(Code.SCHEMA_VIOLATION, f"{label}: {chosen}", origin.location(*at))
        )
        if isinstance(raw.get(kind.id_key), str):
            catalog.rejected.add((kind.key, raw[kind.id_key]))
        return
    try:
        model = chosen.model_validate(raw)
    except ValidationError as err:
        diagnostics.extend(
            schema_diagnostic(e, chosen, origin, label) for e in primary_errors(err, raw)
        )
        if isinstance(raw.get(kind.id_key), str):
            catalog.rejected.add((kind.key, raw[kind.id_key]))
        return
    entry = typing.cast(_Entry, model)  # every kind's model has an id (an area's reads its code)
    first = seen.get((kind.key, entry.id))
    if first is not None:
        diagnostics.append(
            Diagnostic(
                Code.DUPLICATE_ID,
                f"duplicate {kind.noun} {kind.id_key} '{entry.id}'",
                origin.location(kind.id_key),
                hint=f"first defined at {first.location(kind.id_key)}; each {kind.id_key} is unique among {kind.key}",
            )
        )
        return
    seen[(kind.key, entry.id)] = origin
    catalog.of_kind(kind.key)[entry.id] = model
    catalog.origins[(kind.key, entry.id)] = origin


def build_catalog(files: list[SpecFile]) -> tuple[Catalog, list[Diagnostic]]:
    catalog = Catalog()
    diagnostics: list[Diagnostic] = []
    seen: dict[tuple[str, str], Origin] = {}
    kinds = {kind.key: kind for kind in KINDS}
    for spec_file in files:
        for key, entries in spec_file.data.items():
            if key == LANGUAGE_KEY:
                continue
            if key not in kinds:
                diagnostics.append(
                    Diagnostic(
                        Code.UNKNOWN_KIND,
                        f"unknown kind '{key}'",
                        spec_file.location((key,), key=True),
                        hint=did_you_mean(key, kinds)
                        or f"a spec file may hold: {', '.join(kinds)}",
                    )
                )
                continue
            if not isinstance(entries, list):
                diagnostics.append(
                    Diagnostic(
                        Code.SCHEMA_VIOLATION,
                        f"'{key}' must be a list of entries",
                        spec_file.location((key,)),
                        hint="write each entry as '- id: ...'",
                    )
                )
                continue
            for index, raw in enumerate(entries):
                _add_entry(
                    catalog, kinds[key], raw, Origin(spec_file, (key, index)), seen, diagnostics
                )
    return catalog, diagnostics
