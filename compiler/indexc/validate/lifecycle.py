"""Rules IX320-IX324 and IX329: an index's lifecycle, the lenses it shows without weight, the headline.

A status other than active is a decision someone will be asked about, so it says why (IX320); an index
on hold (contingent or deferred) says what would change it (IX321). A lens with a status is shown but
carries no weight: giving it one, in the index or a scenario, contradicts the status (IX322). A lens
awaiting data has nothing to compute from, and any other lens must have something (IX323) — except in a
deferred index, which is declared before its data exists and is never built unless selected. Weights
are normalised over the lenses that carry them, so a parent none of whose lenses carries weight would
divide by nothing (IX324).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from indexc.codes import Code
from indexc.errors import COMMAND_LINE, Diagnostic, Location
from indexc.spec.indexes import ON_HOLD, Index, Lens
from indexc.validate.catalog import Catalog

Where = Callable[..., Location]


def _index_status(index_id: str, index: Index, where: Where) -> Iterator[Diagnostic]:
    if index.status != "active" and not index.reason.strip():
        yield Diagnostic(
            Code.STATUS_WITHOUT_REASON,
            f"index '{index_id}' is {index.status} but does not say why",
            where("status"),
            "add 'reason:' with a sentence saying why, e.g. reason: awaiting the SEND reforms",
        )
    if index.on_hold and index.until is None:
        yield Diagnostic(
            Code.UNTIL_MISPLACED,
            f"index '{index_id}' is {index.status} but does not say what would change that",
            where("status"),
            "add 'until:' with a date, {date: 2027-04-01}, or an event, "
            '{event: "the white paper is published"}',
        )
    if not index.on_hold and index.until is not None:
        yield Diagnostic(
            Code.UNTIL_MISPLACED,
            f"index '{index_id}' is {index.status}: 'until' applies to a contingent or deferred index",
            where("until", key=True),
            f"remove 'until:', or set status: to one of {', '.join(ON_HOLD)}",
        )


def _lens(
    index_id: str, index: Index, path: tuple[Any, ...], lens: Lens, where: Where
) -> Iterator[Diagnostic]:
    what = f"lens '{lens.id}' of index '{index_id}'"
    if lens.status is not None and not lens.reason.strip():
        yield Diagnostic(
            Code.STATUS_WITHOUT_REASON,
            f"{what} is {lens.status.replace('_', ' ')} but does not say why",
            where(*path, "status"),
            "add 'reason:' with a sentence, e.g. reason: no council-level data is published yet",
        )
    if lens.status is not None and lens.weight is not None:
        yield Diagnostic(
            Code.WEIGHT_ON_UNWEIGHTED_LENS,
            f"{what} is {lens.status.replace('_', ' ')}, so it carries no weight, but declares one",
            where(*path, "weight"),
            "remove 'weight:'; a lens with a status is shown but never counts in its parent",
        )
    if lens.status == "awaiting_data" and (lens.metrics or lens.lenses or lens.index):
        yield Diagnostic(
            Code.LENS_AGAINST_STATUS,
            f"{what} is awaiting data but lists {'metrics' if lens.metrics else 'lenses'}",
            where(*path, "metrics" if lens.metrics else "lenses", key=True),
            "remove the status once it has data (with a weight), or remove the list",
        )
    empty = not (lens.metrics or lens.lenses or lens.index)
    if lens.computed and empty and index.status != "deferred":
        yield Diagnostic(
            Code.LENS_AGAINST_STATUS,
            f"{what} has neither metrics nor lenses",
            where(*path, "id"),
            "list its metrics, or declare status: awaiting_data with a reason",
        )
    weighted = lens.weighted_lenses()
    if lens.lenses and not weighted and lens.computed and index.status != "deferred":
        yield Diagnostic(
            Code.NO_WEIGHT_CARRIED,
            f"none of the lenses of {what} carries weight",
            where(*path, "lenses", key=True),
            "give at least one of its lenses a weight and no status",
        )


def _uses(index_id: str, index: Index, where: Where) -> Iterator[Diagnostic]:
    """Productivity and savings read a lens's scores, which a lens awaiting data does not have."""
    awaiting = {lens.id for _, lens, _ in index.walk() if not lens.computed}
    uses = [("productivity", i, x.lens) for i, x in enumerate(index.productivity)]
    uses += [("savings", i, x.lens) for i, x in enumerate(index.savings)]
    for key, i, lens_id in uses:
        if lens_id in awaiting:
            yield Diagnostic(
                Code.LENS_AGAINST_STATUS,
                f"the {key} of index '{index_id}' reads lens '{lens_id}', which is awaiting data "
                "and has no scores",
                where(key, i, "lens"),
                "read a lens that has metrics, or add the lens's metrics first",
            )


def _index(index_id: str, index: Index, catalog: Catalog) -> Iterator[Diagnostic]:
    where: Where = lambda *rel, key=False: catalog.where("indexes", index_id, *rel, key=key)  # noqa: E731
    yield from _index_status(index_id, index, where)
    for path, lens, _ in index.walk():
        yield from _lens(index_id, index, path, lens, where)
    if not index.weighted_lenses() and index.status != "deferred":
        yield Diagnostic(
            Code.NO_WEIGHT_CARRIED,
            f"none of the top lenses of index '{index_id}' carries weight",
            where("lenses", key=True),
            "give at least one top lens a weight and no status: contextual and awaiting-data "
            "lenses are only shown",
        )
    yield from _uses(index_id, index, where)


def _scenarios(catalog: Catalog) -> Iterator[Diagnostic]:
    for scenario_id, scenario in catalog.scenarios.items():
        index = catalog.indexes.get(scenario.index)
        if index is None:
            continue  # IX102
        unweighted = {lens.id: lens for _, lens, _ in index.walk() if not lens.carries_weight}
        for key in scenario.weights:
            if key in unweighted:
                status = str(unweighted[key].status).replace("_", " ")
                yield Diagnostic(
                    Code.WEIGHT_ON_UNWEIGHTED_LENS,
                    f"scenario '{scenario_id}' gives a weight to lens '{key}' of index "
                    f"'{scenario.index}', which is {status} and carries none",
                    catalog.where("scenarios", scenario_id, "weights", key, key=True),
                    "a scenario reweights lenses that count; to make this one count, remove its "
                    "status in the index",
                )


def _headline(catalog: Catalog) -> Iterator[Diagnostic]:
    """IX329: `indexc run` shows one headline first, and it must be built."""
    first = None
    for index_id, index in catalog.indexes.items():
        if not index.publish.headline:
            continue
        where = catalog.where("indexes", index_id, "publish", "headline")
        if index.on_hold:
            yield Diagnostic(
                Code.SECOND_HEADLINE,
                f"index '{index_id}' is {index.status}, so it is not built, but is the headline",
                where,
                "remove 'headline: true', or make the index active or a prototype",
            )
        elif first is not None:
            yield Diagnostic(
                Code.SECOND_HEADLINE,
                f"index '{index_id}' is published as the headline, and so is index '{first}'",
                where,
                "one index is the headline, shown first by indexc run: remove one 'headline: true'",
            )
        first = first or index_id


def check(catalog: Catalog) -> Iterator[Diagnostic]:
    for index_id, index in catalog.indexes.items():
        yield from _index(index_id, index, catalog)
    yield from _scenarios(catalog)
    yield from _headline(catalog)


def selection_problems(catalog: Catalog, selected: tuple[str, ...]) -> list[Diagnostic]:
    """IX323 for each lens with nothing to compute in a deferred index selected by name to be built:
    validation lets a deferred index declare such lenses because it is not built by default."""
    problems = []
    for index_id in selected:
        index = catalog.indexes.get(index_id)
        if index is None or index.status != "deferred":
            continue
        for path, lens, _ in index.computed_lenses():
            if not (lens.metrics or lens.lenses or lens.index):
                problems.append(
                    Diagnostic(
                        Code.LENS_AGAINST_STATUS,
                        f"deferred index '{index_id}' is selected to be built, but its lens "
                        f"'{lens.id}' has neither metrics nor lenses",
                        catalog.where("indexes", index_id, *path, "id"),
                        "list the lens's metrics, or declare status: awaiting_data with a reason",
                    )
                )
        if not index.weighted_lenses():
            problems.append(
                Diagnostic(
                    Code.NO_WEIGHT_CARRIED,
                    f"deferred index '{index_id}' is selected to be built, but none of its top "
                    "lenses carries weight",
                    catalog.where("indexes", index_id, "lenses", key=True),
                    "give at least one top lens metrics and a weight",
                )
            )
    return problems


def on_hold_selections(
    catalog: Catalog, index_ids: tuple[str, ...], scenarios: tuple[str, ...]
) -> list[Diagnostic]:
    """IX008 for each index on hold, or scenario of one, that a run is asked to show: it is not built.
    Unknown ids are for the caller to report (IX102)."""
    named = [("index", i, i) for i in index_ids if i in catalog.indexes]
    named += [
        ("scenario", s, catalog.scenarios[s].index) for s in scenarios if s in catalog.scenarios
    ]
    problems = []
    for what, name, index_id in named:
        index = catalog.indexes.get(index_id)
        if index is None or not index.on_hold:
            continue
        of = f" is of index '{index_id}', which" if what == "scenario" else ""
        problems.append(
            Diagnostic(
                Code.INVALID_OPTION_VALUE,
                f"{what} '{name}'{of} is {index.status}: it is not built",
                COMMAND_LINE,
                f"the index's status says why: {index.reason}",
            )
        )
    return problems
