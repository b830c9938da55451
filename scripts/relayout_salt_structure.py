"""Write the example's SALT-structured source from the Oflog outcomes file.

Why it exists: the example shows adult social care measures moving to a SALT-structured source
from 2021-22 (docs/spec-language.md, "A source that changes structure"). The SALT returns
themselves were not retrievable (examples/data/SOURCES.md), so this script writes the published
values of the two SALT-derived measures, short-term service outcomes (ASCOF 2D, SALT table
STS002a) and requests resulting in a service (SALT table STS001), for 2021-22 and 2022-23, in a
SALT-style layout: a financial year *ending* column, ONS codes, and an item named by two columns,
the SALT table and the measure type. The values are Oflog's, unchanged; only the layout differs.

Usage: python scripts/relayout_salt_structure.py   (standard library only; rewrites the file)
"""

from __future__ import annotations

import csv
from pathlib import Path

DATA = Path(__file__).resolve().parent.parent / "examples" / "data"
OFLOG = DATA / "asc_outcomes_oflog.csv"
OUT = DATA / "salt_structured_asc_2021_23.csv"
SALT_TABLE = {"ASC5": "STS002a", "ASC6": "STS001"}
YEARS = {"2021-22": "2022", "2022-23": "2023"}  # financial year -> the year it ends


def main() -> None:
    with OFLOG.open(newline="", encoding="utf-8") as handle:
        rows = [
            r
            for r in csv.DictReader(handle)
            if r["measure_code"] in SALT_TABLE and r["financial_year"] in YEARS
        ]
    rows.sort(
        key=lambda r: (YEARS[r["financial_year"]], SALT_TABLE[r["measure_code"]], r["la_code"])
    )
    with OUT.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle, lineterminator="\n")
        out.writerow(
            ["FY_Ending", "ONS_Code", "CASSR_Name", "SALT_Table", "Measure_Type", "Measure_Value"]
        )
        for r in rows:
            out.writerow(
                [
                    YEARS[r["financial_year"]],
                    r["la_code"],
                    r["la_name"],
                    SALT_TABLE[r["measure_code"]],
                    "Outcome",
                    r["value"],
                ]
            )
    print(f"wrote {len(rows)} rows to {OUT.relative_to(DATA.parent.parent)}")


if __name__ == "__main__":
    main()
