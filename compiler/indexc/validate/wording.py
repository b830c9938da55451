"""Plain words for schema errors: where, by the ids the user wrote, and what, without pydantic's vocabulary.

Pydantic locates an error by a path of keys, list indexes and the names of the
union members and validators it tried (`lenses.0.lenses.2.metrics.1.weight`,
`method.missing.Impute.group`), and words it for programmers ("Input should be
a valid number", "Tuple should have at least 1 item after validation"). A spec
author thinks in entries and ids: `lens 'effectiveness' > metric
'workforce_turnover' > weight: must be a number`. This module walks the raw
YAML along pydantic's path, keeping only the keys and indexes that are really
there, names each list entry by its id where it has one, and rewords each
error type.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic_core import ErrorDetails

from indexc.spec.base import IDENTIFIER_PATTERN

# what one entry of a list under this key is called; a list under another key has "entries"
ENTRY_NOUNS = {
    "lenses": "lens",
    "metrics": "metric",
    "bindings": "binding",
    "savings": "saving",
    "features": "feature",
    "productivity": "productivity entry",
    "groups": "group",
    "surface": "surface rule",
    "to": "successor",
    "districts": "district",
    "proposed": "proposed event",
    "types": "type",
    "pinned": "pinned snapshot",
}
ID_KEYS = ("id", "metric", "code")  # the key that names an entry, in order of preference


@dataclass(frozen=True)
class Place:
    """Where pydantic's path leads in the data as written."""

    path: tuple[
        Any, ...
    ]  # the keys and list indexes that exist in the raw data (plus a missing key, last)
    member: str | None = (
        None  # the first union member or validator pydantic named on the way, if any
    )
    branch: tuple[Any, ...] | None = None  # the path at which that member was named


def locate(raw: Any, loc: tuple[Any, ...], kind: str) -> Place:
    """Follow `loc` through `raw`, keeping the parts that name keys and indexes really there."""
    path: list[Any] = []
    member, branch = None, None
    node = raw
    for i, part in enumerate(loc):
        if isinstance(part, int) and isinstance(node, list) and 0 <= part < len(node):
            node = node[part]
        elif isinstance(part, str) and isinstance(node, dict) and part in node:
            node = node[part]
        elif i == len(loc) - 1 and kind == "missing" and isinstance(node, dict):
            pass  # the key that should be there
        else:
            if member is None:
                member, branch = str(part), tuple(path)
            continue
        path.append(part)
    return Place(tuple(path), member, branch)


def value_at(raw: Any, path: tuple[Any, ...]) -> Any:
    for part in path:
        raw = raw[part]
    return raw


def fold_unions(errors: list[ErrorDetails], raw: Any) -> list[ErrorDetails]:
    """One error per value that may take several forms, instead of one per form pydantic tried.

    `missing: drop` is neither 'reweight' nor a mapping: one error names both forms. A mapping
    that is wrong inside is reported by the mapping forms only, since it was clearly meant as one.
    """
    tried: dict[tuple[Any, ...], list[tuple[ErrorDetails, str]]] = {}
    for error in errors:
        place = locate(raw, tuple(p for p in error["loc"] if p != "[key]"), error["type"])
        if place.branch is not None and place.member is not None:  # named together
            tried.setdefault(place.branch, []).append((error, place.member))
    result = list(errors)
    for branch, found in tried.items():
        if len({member for _, member in found}) < 2:
            continue  # a validator's name, not a choice between forms
        value = value_at(raw, branch)
        mapping_forms = [error for error, member in found if member[:1].isupper()]
        texts = [plain_text(error) for error, _ in found]
        if isinstance(value, dict) and mapping_forms:
            keep = mapping_forms
        elif all(text.startswith("must be ") for text in texts):
            forms = dict.fromkeys(text.removeprefix("must be ") for text in texts)
            keep = [
                {
                    "type": "union",
                    "loc": branch,
                    "msg": "must be " + " or ".join(forms),
                    "input": value,
                }
            ]
        else:
            keep = [found[0][0]]
        dropped = [error for error, _ in found]
        at = next(i for i, e in enumerate(result) if any(e is d for d in dropped))
        result = [e for e in result if not any(e is d for d in dropped)]
        result[at:at] = keep
    return result


def describe(raw: Any, path: tuple[Any, ...]) -> list[str]:
    """Each step of `path` in words: a key by its name, a list entry by its noun and id."""
    words: list[str] = []
    node = raw
    for i, part in enumerate(path):
        if isinstance(part, int) and isinstance(node, list) and part < len(node):
            key = path[i - 1] if i and isinstance(path[i - 1], str) else ""
            if words and words[-1] == str(key):
                words.pop()  # 'lenses > lens 'x'' says the same thing twice
            words.append(_entry_words(key, node[part], part))
            node = node[part]
        else:
            words.append(str(part))
            node = node.get(part) if isinstance(node, dict) else None
    return words


def _entry_words(key: str, entry: Any, index: int) -> str:
    noun = ENTRY_NOUNS.get(key)
    name = next(
        (entry[k] for k in ID_KEYS if isinstance(entry, dict) and isinstance(entry.get(k), str)),
        None,
    )
    if name is None and noun and isinstance(entry, str):
        name = entry
    if noun is None:
        return f"{key} > '{name}'" if name is not None else f"{key} > entry {index + 1}"
    return f"{noun} '{name}'" if name is not None else f"{noun} {index + 1}"


def plain_text(error: ErrorDetails) -> str:
    """What is wrong, in the words of the spec language."""
    kind, given = error["type"], error.get("input")
    ctx = {
        key: f"{value:g}" if isinstance(value, float) else value
        for key, value in (error.get("ctx") or {}).items()
    }
    if kind in ("value_error", "assertion_error"):
        return error["msg"].removeprefix("Value error, ").removeprefix("Assertion failed, ")
    if kind.startswith(("date_", "datetime_")):
        return f"{_as_written(given)} is not a date"
    if kind in WORDS:
        return WORDS[kind].format(**ctx)
    if kind == "string_pattern_mismatch":
        pattern = ctx.get("pattern")
        return (
            f"'{given}' is not {PATTERNS[pattern]}"
            if pattern in PATTERNS
            else f"'{given}' does not have the form {pattern}"
        )
    if kind in ("too_short", "string_too_short"):
        least = ctx.get("min_length", 1)
        if kind == "string_too_short":
            return (
                "must not be empty" if least == 1 else f"must be at least {least} characters long"
            )
        return "must not be empty" if least == 1 else f"must have at least {least} entries"
    if kind in ("too_long", "string_too_long"):
        unit = "characters long" if kind == "string_too_long" else "entries"
        return (
            f"must have at most {ctx.get('max_length')} {unit}"
            if kind == "too_long"
            else f"must be at most {ctx.get('max_length')} {unit}"
        )
    return _reworded(error["msg"])


def _as_written(value: Any) -> str:
    """A value as YAML would show it: null and true rather than Python's None and True."""
    if value is None or isinstance(value, bool):
        return {None: "null", True: "true", False: "false"}[value]
    return repr(value)


PATTERNS = {
    IDENTIFIER_PATTERN: "an id",
    r"^[A-Z][A-Z0-9_]*$": "an area code (capital letters, digits and underscores, such as E06000061)",
    r"^[A-Z_][A-Z0-9_]*$": "the name of an environment variable (capital letters, digits and underscores)",
}

WORDS = {
    "missing": "a required value is missing",
    "extra_forbidden": "is not a key here",
    "int_type": "must be a whole number",
    "int_parsing": "must be a whole number",
    "int_from_float": "must be a whole number",
    "float_type": "must be a number",
    "float_parsing": "must be a number",
    "decimal_type": "must be a number",
    "decimal_parsing": "must be a number",
    "finite_number": "must be a finite number (not .inf or .nan)",
    "string_type": "must be text",
    "bool_type": "must be true or false",
    "bool_parsing": "must be true or false",
    "list_type": "must be a list",
    "tuple_type": "must be a list",
    "set_type": "must be a list",
    "frozen_set_type": "must be a list",
    "dict_type": "must be a mapping",
    "model_type": "must be a mapping",
    "model_attributes_type": "must be a mapping",
    "literal_error": "must be {expected}",
    "enum": "must be {expected}",
    "greater_than": "must be more than {gt}",
    "greater_than_equal": "must be {ge} or more",
    "less_than": "must be less than {lt}",
    "less_than_equal": "must be {le} or less",
    "multiple_of": "must be a multiple of {multiple_of}",
    "union_tag_invalid": "'{tag}' is not one of {expected_tags}",
    "union_tag_not_found": "needs the key '{discriminator}'",
}


def _reworded(message: str) -> str:
    """A message of a type not in the table, said as a rule about the value rather than about 'Input'."""
    for said, plain in (
        ("Input should be ", "must be "),
        ("Input should have ", "must have "),
        ("Input should ", "must "),
    ):
        if message.startswith(said):
            message = plain + message[len(said) :]
    return message.replace(" after validation", "").replace("a valid ", "a ")
