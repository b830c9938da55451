"""The diagnostics table of docs/spec-language.md, section 9, lists exactly the codes indexc emits,
each with the severity it is emitted with.

The code base is the source of truth, read with `ast` rather than from a registry of codes: adding
a code then means writing its `Diagnostic(...)` and its row in the table, nothing else, and this test
names the row that is missing, extra or wrong. A `Diagnostic` without `severity=` is an error;
`severity=Severity.WARNING` a warning; any other expression (an audit's own severity, say) may be
either, and the table must then say `error or warning`.
"""

from __future__ import annotations

import ast
import re

from conftest import REPO

PACKAGE = REPO / "compiler" / "indexc"
SPEC_LANGUAGE = REPO / "docs" / "spec-language.md"
CODE = re.compile(r"IX\d{3}")
SEVERITIES = {
    "Severity.ERROR": {"error"},
    "Severity.WARNING": {"warning"},
    "Severity.NOTE": {"note"},
}
DIAGNOSTIC_CLASSES = {"Diagnostic", "NotShown"}  # NotShown: a note counting errors left out
EITHER = {"error", "warning"}


def _literal_codes(node: ast.AST) -> set[str]:
    return {
        n.value
        for n in ast.walk(node)
        if isinstance(n, ast.Constant) and isinstance(n.value, str) and CODE.fullmatch(n.value)
    }


def _argument(call: ast.Call, position: int, name: str) -> ast.expr | None:
    if len(call.args) > position:
        return call.args[position]
    return next((k.value for k in call.keywords if k.arg == name), None)


def _severities(call: ast.Call) -> set[str]:
    given = _argument(call, 4, "severity")
    return {"error"} if given is None else SEVERITIES.get(ast.unparse(given), EITHER)


def _called(call: ast.Call) -> str | None:
    return call.func.id if isinstance(call.func, ast.Name) else getattr(call.func, "attr", None)


def emitted_codes() -> dict[str, set[str]]:
    """Every code in the package with the severities it is emitted with.

    A `Diagnostic` whose code is a variable takes the codes written in its function (`code = "IX201"
    if ... else "IX202"`), or, when the variable is the function's parameter, the codes its callers
    pass (a helper such as `_problem("IX604", ...)`).
    """
    found: dict[str, set[str]] = {}
    helpers: dict[
        str, set[str]
    ] = {}  # function whose parameter is a Diagnostic's code -> severities
    modules = [
        ast.parse(path.read_text(encoding="utf-8")) for path in sorted(PACKAGE.rglob("*.py"))
    ]
    for module in modules:
        for function in [
            n for n in ast.walk(module) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))
        ]:
            parameters = {a.arg for a in function.args.args + function.args.kwonlyargs}
            for call in [
                n
                for n in ast.walk(function)
                if isinstance(n, ast.Call) and _called(n) in DIAGNOSTIC_CLASSES
            ]:
                code = _argument(call, 0, "code")
                codes = _literal_codes(code) or _literal_codes(function)
                if isinstance(code, ast.Name) and code.id in parameters:
                    helpers.setdefault(function.name, set()).update(_severities(call))
                    codes = set()
                for one in codes:
                    found.setdefault(one, set()).update(_severities(call))
    for module in modules:
        for call in [
            n for n in ast.walk(module) if isinstance(n, ast.Call) and _called(n) in helpers
        ]:
            for one in _literal_codes(_argument(call, 0, "code") or ast.Constant(None)):
                found.setdefault(one, set()).update(helpers[_called(call)])
    for module in modules:  # a code written anywhere else still has to be documented
        for one in _literal_codes(module) - set(found):
            found[one] = {"error"}
    return found


def documented_codes() -> list[tuple[str, set[str]]]:
    """(code, severities) of each row of the table of section 9, in the order written."""
    section = SPEC_LANGUAGE.read_text(encoding="utf-8").split("## 9. Diagnostics", 1)[1]
    rows = []
    for line in section.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if line.startswith("|") and CODE.fullmatch(cells[0]):
            severity = cells[1]
            rows.append(
                (cells[0], EITHER if severity.startswith("error or warning") else {severity})
            )
    return rows


def test_every_emitted_code_has_a_row_with_its_severity_and_every_row_is_emitted() -> None:
    emitted, documented = emitted_codes(), dict(documented_codes())
    assert sorted(set(emitted) - set(documented)) == [], (
        "codes emitted but not in the table of section 9"
    )
    assert sorted(set(documented) - set(emitted)) == [], (
        "codes in the table that indexc never emits"
    )
    wrong = {
        code: (sorted(documented[code]), sorted(emitted[code]))
        for code in emitted
        if documented[code] != emitted[code]
    }
    assert wrong == {}, "code: (severity in the table, severity in the code)"


def test_the_table_lists_each_code_once_in_code_order() -> None:
    codes = [code for code, _ in documented_codes()]
    assert codes == sorted(set(codes))


def test_warnings_are_found_where_they_are_emitted() -> None:
    """The scan itself: codes known to be warnings, and one whose severity is the audit's."""
    emitted = emitted_codes()
    assert emitted["IX611"] == {"warning"} and emitted["IX705"] == {"warning"}
    assert emitted["IX707"] == EITHER
    assert emitted["IX201"] == emitted["IX202"] == {"error"}
