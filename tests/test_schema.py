"""The editor schemas (`indexc schema`) accept every real spec and target file and flag what the
loader refuses: unknown keys and kinds, wrong types, a literal credential."""

from __future__ import annotations

import datetime
import json
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner
from conftest import FIXTURES, REPO
from ruamel.yaml import YAML

from indexc.cli import main

OLD_LANGUAGE = FIXTURES / "example_v1"  # written in language version 1 on purpose (test_migrate.py)
SPEC_FILES = sorted(REPO.glob("specs/**/*.yaml")) + sorted(
    p for p in FIXTURES.glob("*/specs/*.yaml") if not p.is_relative_to(OLD_LANGUAGE)
)
TARGET_FILES = sorted(REPO.glob("targets/*.yaml")) + sorted(
    p for p in FIXTURES.glob("*/targets/*.yaml") if not p.is_relative_to(OLD_LANGUAGE)
)


def as_json(value):
    """What yaml-language-server sees: YAML 1.2, where an unquoted date is a string."""
    if isinstance(value, dict):
        return {k: as_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [as_json(v) for v in value]
    return value.isoformat() if isinstance(value, datetime.date) else value


@pytest.fixture(scope="module")
def schemas(tmp_path_factory) -> dict[str, jsonschema.Draft202012Validator]:
    out = tmp_path_factory.mktemp("schema")
    result = CliRunner().invoke(main, ["--project", str(out), "schema", "--out", str(out)])
    assert result.exit_code == 0, result.output
    loaded = {}
    for kind in ("spec", "target"):
        schema = json.loads((out / f"indexc-{kind}.schema.json").read_text())
        jsonschema.Draft202012Validator.check_schema(schema)
        loaded[kind] = jsonschema.Draft202012Validator(schema)
    return loaded


def problems(validator, text: str) -> list[str]:
    return [error.message for error in validator.iter_errors(as_json(YAML(typ="safe").load(text)))]


@pytest.mark.parametrize("path", SPEC_FILES, ids=lambda p: str(p.relative_to(REPO)))
def test_every_spec_file_of_the_repository_is_valid(schemas, path: Path) -> None:
    assert problems(schemas["spec"], path.read_text()) == []


@pytest.mark.parametrize("path", TARGET_FILES, ids=lambda p: str(p.relative_to(REPO)))
def test_every_target_file_of_the_repository_is_valid(schemas, path: Path) -> None:
    assert problems(schemas["target"], path.read_text()) == []


def test_mistakes_are_flagged(schemas) -> None:
    spec = schemas["spec"]
    assert problems(spec, "indexc: 2\nmetrix: []\n")  # a misspelled kind
    assert problems(spec, "metrics: []\n")  # no language version
    assert problems(
        spec, "indexc: 2\nmetrics:\n  - {id: a, version: 1, formula: x, direction: up, unit: u}\n"
    )
    assert problems(
        spec,
        "indexc: 2\nsnapshot_policies:\n  - {id: p, retain: {latest: 3}, surface: [{latest: 5}]}\n",
    )
    assert not problems(
        spec, "indexc: 2\nsnapshot_policies:\n  - {id: p, surface: [{latest: 5}, {pinned: [a]}]}\n"
    )
    target = schemas["target"]
    assert problems(
        target,
        "indexc: 2\ntarget: snowflake\ndatabase: D\nconnection: {account: {env: A}, user: "
        "{env: U}, password: hunter2}\n",
    )  # a literal credential
    assert not problems(
        target, "indexc: 2\ntarget: snowflake\ndatabase: D\nconnection: {name: prod}\n"
    )
    assert problems(target, "indexc: 2\ntarget: duckdb\nschemas: x\n")
