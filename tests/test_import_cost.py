"""What a command pays for at start-up: the spec models are built when first used, not on import.

Each test imports in a fresh interpreter, as the `indexc` command does, since the test process has
long since built every model it touched.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

BUILT_ON_IMPORT = """
import gc, json
import indexc.front_end  # everything `indexc build` imports before it reads a spec
from indexc.spec.base import StrictModel

def models(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from models(sub)

every = set(models(StrictModel))
made = {type(value) for value in gc.get_objects() if isinstance(value, StrictModel)}
print(json.dumps({
    "models": len(every),
    "built": sorted(m.__qualname__ for m in every if m.__pydantic_complete__),
    "made": sorted(m.__qualname__ for m in made),
}))
"""


@pytest.mark.slow  # a fresh interpreter importing the front end: 0.6 to 0.8 s, more when busy
def test_importing_the_front_end_builds_only_the_models_it_makes_instances_of() -> None:
    """A model's schema is built on first use (`defer_build`): the only ones built on import are
    those of the values made when their modules are imported (defaults, constants)."""
    result = subprocess.run(
        [sys.executable, "-c", BUILT_ON_IMPORT], capture_output=True, text=True, check=True
    )
    found = json.loads(result.stdout)
    assert found["built"] == found["made"]
    assert len(found["made"]) < found["models"] / 4


USED_ON_DEMAND = """
from indexc.spec.audits import Audit
assert not Audit.__pydantic_complete__
schema = Audit.model_json_schema()
assert Audit.__pydantic_complete__ and schema["title"] == "Audit"
"""


def test_a_deferred_model_is_built_when_first_used() -> None:
    subprocess.run([sys.executable, "-c", USED_ON_DEMAND], check=True)
