"""Finding the area a person means: a code or a name, in any case, with a suggestion when it is neither.

People type "city of london" or "e09000001"; a name two codes share over time (a council recoded keeps
its name) is not guessed between, since the profile of the wrong one would be read as the right one.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping

from indexc.codes import Code
from indexc.errors import COMMAND_LINE, Diagnostic, UserError


def _unknown(message: str, hint: str) -> UserError:
    return UserError([Diagnostic(Code.UNKNOWN_AREA, message, COMMAND_LINE, hint)])


def resolve_area(text: str, names: Mapping[str, str], where: str) -> str:
    """The code of the area `text` names (`names`: code -> name); IX407 with the area meant when none
    does, or with the codes when a name is shared. `where`: where the names were looked for, in words."""
    wanted = text.strip().lower()
    codes = {code.lower(): code for code in names}
    if wanted in codes:
        return codes[wanted]
    by_name: dict[str, list[str]] = {}
    for code, name in sorted(names.items()):
        by_name.setdefault(name.lower(), []).append(code)
    if wanted in by_name:
        found = by_name[wanted]
        if len(found) == 1:
            return found[0]
        raise _unknown(
            f"the name '{text}' is held by {len(found)} areas: {', '.join(found)}",
            f"give the code of the one meant, such as indexc show {found[-1]}",
        )
    close = difflib.get_close_matches(wanted, [*codes, *by_name], n=1, cutoff=0.6)
    if close:
        match = close[0]
        meant = (
            f"{codes[match]} ({names[codes[match]]})"
            if match in codes
            else f"{names[by_name[match][0]]} ({', '.join(by_name[match])})"
        )
        hint = f"did you mean {meant}?"
    else:
        hint = "give an area's code (such as E09000001) or its name as the register writes it"
    raise _unknown(f"no area '{text}' in {where}", hint)
