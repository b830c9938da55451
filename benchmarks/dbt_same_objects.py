"""The dbt project of the comparison, grown to the objects indexc builds for the same specs.

The equivalent project (../shared/bench/dbt_equivalent_project.py) has one model per metric, 12 lens
models and one index: 1,013 nodes at 1,000 metrics. For the same specs indexc writes about 4.7
objects per metric and target: the measure's extraction, its smell test (a table of robust
outlier flags), the check that fails a run on a gross outlier, the metric, and a check that its
values are finite. Set beside the equivalent project alone, a cold `indexc build` is timed on
4.7 times the work. This grows that project, in place, to the same work per metric, written as
a capable dbt user would: one model per measure, the smell query once as a macro called by one
model per measure, the metric reading its measure by `ref`, and the two checks as generic data
tests declared in YAML, so that `dbt compile` renders each as a node as indexc does.

The figure it gives sits beside the issue's comparison, never in its place: the target stays
set against the equivalent project.
"""

from __future__ import annotations

from pathlib import Path

SMELL_MACRO = """{% macro smell(measure) %}
with v as (
  select area_code, period, value,
    case when length(area_code) = 9 and regexp_matches(substring(area_code, 2, 8), '^[0-9]{8}$')
      then substring(area_code, 1, 3) else '' end as kind
  from {{ measure }}
  where abs(value) <= 1.7976931348623157e+308
), peers as (
  select v.*,
    median(value) over (partition by period, kind) as peer_median,
    count(*) over (partition by period, kind) as peer_count,
    lag(value) over (partition by area_code order by period) as previous_value,
    lead(value) over (partition by area_code order by period) as next_value
  from v
), spread as (
  select peers.*, median(abs(value - peer_median)) over (partition by period, kind) as peer_mad
  from peers
)
select area_code, period, value,
  case
    when peer_count >= 5 and peer_median > 0 and (value > 10 * peer_median or value * 10 < peer_median)
      then 'error'
    when peer_mad > 0 and abs(value - peer_median) / (1.4826 * peer_mad) > 12 then 'warning'
  end as severity
from spread
{% endmacro %}
"""

TESTS_MACRO = """{% test finite(model, column_name) %}
select area_code, period, {{ column_name }} from {{ model }}
where {{ column_name }} is not null and not abs({{ column_name }}) <= 1.7976931348623157e+308
{% endtest %}

{% test no_gross_outlier(model) %}
select area_code, period, value from {{ model }} where severity = 'error'
{% endtest %}
"""


def measure_model(i: int) -> str:
    return f"""select area_code, period, value
from {{{{ source('raw', 'measure_values') }}}}
where measure_id = 'm_{i}'
"""


def smell_model(i: int) -> str:
    return f"{{{{ config(materialized='table') }}}}\n{{{{ smell(ref('measure_{i}')) }}}}\n"


def metric_model(i: int) -> str:
    return f"""select m.area_code, m.period, m.value * 1000 / nullif(p.value, 0) as value
from {{{{ ref('measure_{i}') }}}} as m
join {{{{ source('raw', 'population') }}}} as p using (area_code, period)
"""


def grow(root: Path, n: int) -> None:
    """Grow the equivalent project at `root` (n metrics) to indexc's objects per metric."""
    models = root / "models"
    for folder in ("measures", "smells"):
        (models / folder).mkdir(exist_ok=True)
    (root / "macros").mkdir(exist_ok=True)
    (root / "macros" / "smell.sql").write_text(SMELL_MACRO)
    (root / "macros" / "tests.sql").write_text(TESTS_MACRO)
    sources = (models / "sources.yml").read_text()
    (models / "sources.yml").write_text(sources + "      - name: population\n")
    props = ["version: 2", "models:"]
    for i in range(n):
        (models / "measures" / f"measure_{i}.sql").write_text(measure_model(i))
        (models / "smells" / f"smell_{i}.sql").write_text(smell_model(i))
        (models / "metrics" / f"metric_{i}.sql").write_text(metric_model(i))
        props += [
            f"  - name: smell_{i}",
            "    data_tests:",
            "      - no_gross_outlier",
            f"  - name: metric_{i}",
            f"    description: synthetic metric {i}, lower is better",
            "    columns:",
            "      - name: value",
            "        description: rate per 1,000 people",
            "        data_tests:",
            "          - finite",
        ]
    (models / "metrics" / "props.yml").write_text("\n".join(props) + "\n")


def nodes(n: int) -> int:
    """Nodes `dbt compile` renders after `grow`: 5 per metric, 12 lenses and the index."""
    return 5 * n + 13
