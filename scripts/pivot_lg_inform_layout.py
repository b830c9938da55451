"""Write the pivoted fixture: one real measure of the Oflog outcomes file in LG Inform's CSV layout.

Why it exists: LG Inform Plus's API returns a CSV grouped by area in rows and by period in columns
(`rowGrouping=area&columnGrouping=period`): the columns `area`, `area label`, `area long label`,
then one per period headed by its label, with title lines before the header and the header repeated
in the body (what public scripts that call the API show; /work/shared/data/lg_inform_api_notes.md
is partial). No such file is held, so this script reshapes real data into that layout: the rows of
measure ASC2 (social care-related quality of life) of examples/data/asc_outcomes_oflog.csv, values
and period labels unchanged. `area label` and `area long label` are both the file's council name
(it has no long label); the two title lines are ours and say what the file is.

Usage: python scripts/pivot_lg_inform_layout.py   (standard library only; rewrites the file)
"""

from __future__ import annotations

import csv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ORIGINAL = ROOT / "examples" / "data" / "asc_outcomes_oflog.csv"
OUT = ROOT / "tests" / "fixtures" / "pivoted" / "data" / "lg_inform_asc2_by_period.csv"
MEASURE = "ASC2"
HEADER = ["area", "area label", "area long label"]


def main() -> None:
    with ORIGINAL.open(newline="", encoding="utf-8") as handle:
        rows = [r for r in csv.DictReader(handle) if r["measure_code"] == MEASURE]
    periods = sorted({r["financial_year"] for r in rows})
    names = {r["la_code"]: r["la_name"] for r in rows}
    values = {(r["la_code"], r["financial_year"]): r["value"] for r in rows}
    if len(values) != len(rows):
        raise SystemExit(f"{MEASURE} gives some area and year twice: cannot pivot")
    areas = sorted(names)
    title = f"{rows[0]['measure']} ({MEASURE})"
    OUT.parent.mkdir(parents=True, exist_ok=True)
    with OUT.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle, lineterminator="\n")
        out.writerow([title])
        out.writerow(
            [f"Reshaped from {ORIGINAL.relative_to(ROOT)} by scripts/{Path(__file__).name}"]
        )
        out.writerow(HEADER + periods)
        for number, code in enumerate(areas):
            if number == len(areas) // 2:  # LG Inform repeats the header inside the body
                out.writerow(HEADER + periods)
            out.writerow(
                [code, names[code], names[code]] + [values.get((code, p), "") for p in periods]
            )
    print(f"wrote {len(areas)} areas x {len(periods)} periods to {OUT}")


if __name__ == "__main__":
    main()
