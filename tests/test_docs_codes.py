"""The registry of diagnostic codes (compiler/indexc/codes.py) and what it must agree with.

The table of docs/spec-language.md, section 9, has one row per registered code, in code order,
with the severity the registry gives it (for a code that may be either, the same words for what
decides); every code a validation or run case expects is registered; the package writes no code
as a string outside the registry; and each `Diagnostic(Code.X, ...)` gives a severity its code
allows, choosing one explicitly where the code may be either. Adding a code is a member of `Code`
and a row of the table; this test names the row that is missing, extra or wrong.
"""

from __future__ import annotations

import ast
import re

import pytest
from conftest import REPO
from ruamel.yaml import YAML

from indexc.codes import DOCS_ANCHOR, Code, Severity
from indexc.errors import Diagnostic, Location, NotShown, as_error

PACKAGE = REPO / "compiler" / "indexc"
REGISTRY = PACKAGE / "codes.py"
SPEC_LANGUAGE = REPO / "docs" / "spec-language.md"
SECTION = "## 9. Diagnostics"
CODE = re.compile(r"IX\d{3}")
CASE_FILES = sorted((REPO / "tests" / "validation_cases").glob("*.yml")) + sorted(
    (REPO / "tests" / "run_cases").glob("*.yml")
)
DIAGNOSTIC_CLASSES = {"Diagnostic", "NotShown"}  # NotShown: a note counting errors left out


def documented_codes() -> list[tuple[str, str]]:
    """(code, Severity cell) of each row of the table of section 9, in the order written."""
    section = SPEC_LANGUAGE.read_text(encoding="utf-8").split(SECTION, 1)[1].split("\n## ", 1)[0]
    rows = []
    for line in section.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if line.startswith("|") and CODE.fullmatch(cells[0]):
            rows.append((cells[0], cells[1]))
    return rows


def test_every_registered_code_has_a_row_with_its_severity_and_every_row_is_registered() -> None:
    registered = {code.value: code.documented_severity for code in Code}
    documented = dict(documented_codes())
    assert sorted(set(registered) - set(documented)) == [], (
        "codes registered in indexc/codes.py but not in the table of section 9"
    )
    assert sorted(set(documented) - set(registered)) == [], (
        "codes in the table that indexc/codes.py does not register"
    )
    wrong = {
        code: (documented[code], registered[code])
        for code in registered
        if documented[code] != registered[code]
    }
    assert wrong == {}, "code: (severity in the table, severity in the registry)"


def test_the_table_and_the_registry_list_each_code_once_in_code_order() -> None:
    codes = [code for code, _ in documented_codes()]
    assert codes == sorted(set(codes))
    assert [code.value for code in Code] == sorted(code.value for code in Code)


def test_the_docs_anchor_of_every_code_is_the_heading_of_the_table() -> None:
    path, anchor = DOCS_ANCHOR.split("#")
    heading = SECTION.lstrip("# ")
    assert REPO / path == SPEC_LANGUAGE
    assert anchor == re.sub(r"[^\w\- ]", "", heading.lower()).replace(" ", "-")  # GitHub's slug
    assert {code.docs for code in Code} == {DOCS_ANCHOR}
    assert all(code.summary for code in Code)


def test_every_code_a_case_expects_is_registered() -> None:
    expected = {
        want["code"]
        for path in CASE_FILES
        for case in YAML(typ="safe").load(path.read_text(encoding="utf-8"))["cases"]
        for want in case["expect"]
    }
    assert len(expected) > 40, "the cases were not read"
    assert sorted(expected - {code.value for code in Code}) == []


def _written_codes(path) -> list[tuple[int, str]]:
    return [
        (node.lineno, node.value)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and CODE.fullmatch(node.value)
    ]


def test_no_code_is_written_as_a_string_outside_the_registry() -> None:
    """A code is named by its member, `Code.UNKNOWN_REFERENCE`, so it is registered and greppable."""
    written = {
        f"{path.relative_to(REPO)}:{line}": code
        for path in sorted(PACKAGE.rglob("*.py"))
        if path != REGISTRY
        for line, code in _written_codes(path)
    }
    assert written == {}, "write Code.<NAME> from indexc/codes.py instead"


def _argument(call: ast.Call, position: int, name: str) -> ast.expr | None:
    if len(call.args) > position:
        return call.args[position]
    return next((k.value for k in call.keywords if k.arg == name), None)


def _named_codes(expression: ast.expr | None, module: ast.Module) -> list[Code]:
    """The codes an argument names: `Code.X`, both branches of `Code.X if ... else Code.Y`, or
    what the module assigns to the variable it is."""
    if isinstance(expression, ast.IfExp):
        return _named_codes(expression.body, module) + _named_codes(expression.orelse, module)
    if (
        isinstance(expression, ast.Attribute)
        and isinstance(expression.value, ast.Name)
        and expression.value.id == "Code"
    ):
        return [Code[expression.attr]]
    if isinstance(expression, ast.Name):
        return [
            code
            for node in ast.walk(module)
            if isinstance(node, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == expression.id for t in node.targets)
            for code in _named_codes(node.value, module)
        ]
    return []  # a node's or an exception's code is checked when the Diagnostic is made


def emitted_severities() -> dict[Code, set[str]]:
    """Each code named at a `Diagnostic(...)` with how its severity is given there.

    `default` (no severity: an error), the member of `Severity` written, or `chosen` for any
    other expression (an audit's own severity, say).
    """
    found: dict[Code, set[str]] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        module = ast.parse(path.read_text(encoding="utf-8"))
        for call in ast.walk(module):
            if not isinstance(call, ast.Call):
                continue
            called = call.func.id if isinstance(call.func, ast.Name) else None
            if called not in DIAGNOSTIC_CLASSES:
                continue
            given = _argument(call, 4, "severity")
            written = ast.unparse(given) if given is not None else "default"
            how = written.removeprefix("Severity.") if written.startswith("Severity.") else written
            for code in _named_codes(_argument(call, 0, "code"), module):
                found.setdefault(code, set()).add(
                    how if how in ("default", *Severity.__members__) else "chosen"
                )
    return found


@pytest.mark.slow
def test_each_diagnostic_gives_a_severity_its_code_allows() -> None:
    """A code of one severity may leave it out (if an error) or write it; one that may be either
    writes what it chose at every call."""
    wrong = {}
    for code, hows in emitted_severities().items():
        for how in hows:
            if len(code.severities) > 1:
                ok = how != "default"
            elif how == "default":
                ok = code.severity is Severity.ERROR
            else:
                ok = how != "chosen" and code.allows(Severity[how])
            if not ok:
                wrong.setdefault(code.value, set()).add(how)
    assert wrong == {}, "code: how its calls give a severity the registry does not allow"


def test_the_scan_of_the_calls_finds_what_is_written() -> None:
    emitted = emitted_severities()
    assert len(emitted) > 50
    assert emitted[Code.EVENT_NOT_ON_1_APRIL] == {"WARNING"}
    assert emitted[Code.AUDIT_FOUND_ROWS] == {"ERROR", "WARNING"}
    assert emitted[Code.ITEM_NOT_FOUND] == {"chosen"}
    assert emitted[Code.FORMULA_DOES_NOT_PARSE] == emitted[Code.FORMULA_NOT_ALLOWED] == {"default"}
    assert emitted[Code.FOLLOW_ON_ERRORS_NOT_SHOWN] == {"NOTE"}


def test_a_diagnostic_takes_only_a_registered_code_with_a_severity_it_allows() -> None:
    here = Location("specs/a.yaml", 1, 1)
    with pytest.raises(TypeError, match="not a registered diagnostic code"):
        Diagnostic("IX102", "unknown measure 'x'", here)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="IX613 is warning, not error"):
        Diagnostic(Code.ZERO_SHARE, "a share of 0", here)
    with pytest.raises(ValueError, match="IX010 is note, not error"):
        NotShown(Code.FOLLOW_ON_ERRORS_NOT_SHOWN, "1 further error", here, count=1)
    warning = Diagnostic(Code.ZERO_SHARE, "a share of 0", here, severity=Severity.WARNING)
    assert as_error(warning).severity is Severity.ERROR  # --strict: every warning an error
    assert as_error(warning).render() == "specs/a.yaml:1:1: IX613 a share of 0"
    assert warning.render() == "specs/a.yaml:1:1: IX613 warning: a share of 0"
    assert Code("IX102") is Code.UNKNOWN_REFERENCE and str(Code.UNKNOWN_REFERENCE) == "IX102"
