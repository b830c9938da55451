"""The contract between the planner and the SQL templates (plan/template_params.py): each template reads
exactly the fields of its parameters' dataclass, and a parameter missing or misspelt where a node is
planned fails there, not when the template is rendered."""

from __future__ import annotations

import dataclasses

import pytest
from jinja2 import meta, nodes

from indexc.generate.templating import TEMPLATES, _environment
from indexc.plan.index_planner import IndexPlanner
from indexc.plan.nodes import Layer
from indexc.plan.template_params import (
    LiteralTableParams,
    SavingsTotalsParams,
    ScoresParams,
    TemplateParams,
)

HELPERS = {
    "ref",
    "tree",
    "num",
    "plain",
    "text",
    "in_period",
    "finite",
}  # generate/templating.render
PLACED = {
    LiteralTableParams: {"rows"}
}  # built in Python and placed in the query, not read by the template
RENDERED_FROM_NODE_FIELDS = {
    "smell",
    "consumption",
}  # their nodes' own typed fields are the parameters


def _kinds() -> list[type[TemplateParams]]:
    found, waiting = [], list(TemplateParams.__subclasses__())
    while waiting:
        kind = waiting.pop()
        found.append(kind)
        waiting.extend(kind.__subclasses__())
    return sorted(found, key=lambda kind: kind.template)


def _variables(template: str) -> set[str]:
    """The variables a template reads and does not set itself."""
    source = (TEMPLATES / f"{template}.sql.j2").read_text()
    tree = _environment().parse(source)
    assigned = {name.name for name in tree.find_all(nodes.Name) if name.ctx in ("store", "param")}
    return meta.find_undeclared_variables(tree) - assigned - HELPERS


@pytest.mark.parametrize("kind", _kinds(), ids=lambda kind: kind.template)
def test_each_template_reads_exactly_its_parameters(kind: type[TemplateParams]) -> None:
    fields = {f.name for f in dataclasses.fields(kind)} - PLACED.get(kind, set())
    assert _variables(kind.template) == fields


def test_every_template_has_its_parameters() -> None:
    templates = {p.name.removesuffix(".sql.j2") for p in TEMPLATES.glob("[!_]*.sql.j2")}
    assert templates - RENDERED_FROM_NODE_FIELDS == {kind.template for kind in _kinds()}


def test_a_misspelt_or_missing_parameter_fails_when_the_node_is_planned() -> None:
    with pytest.raises(TypeError, match="savings_total"):
        SavingsTotalsParams(savings_total="index__x__savings")  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="min_coverage"):
        ScoresParams(  # type: ignore[call-arg]
            lens_scores="index__x__lens_scores",
            lenses=[],
            total_weight=1.0,
            method="arithmetic",
            p=None,
        )


def test_a_planned_node_names_its_template_by_its_parameters() -> None:
    planner = IndexPlanner(
        index=None,  # type: ignore[arg-type]  # not read by `node`
        index_id="x",
        spec=("indexes", "x"),
        catalog=None,  # type: ignore[arg-type]
        universe="universe__u",
        metric_object=lambda m: f"metric__{m}",
        value_object=lambda m: f"metric__{m}",
    )
    node = planner.node(
        Layer.PEERS,
        planner.own("savings_totals"),
        [planner.own("savings")],
        "Savings of index x per period",
        SavingsTotalsParams(savings=planner.own("savings")),
    )
    assert (node.template, node.layer, node.materialisation.value) == (
        "savings_totals",
        Layer.PEERS,
        "table",
    )
    assert node.name == "index__x__savings_totals" and node.depends_on == ("index__x__savings",)
