"""Rules IX350-IX354 and IX356: a contributed source says whose data it is and under what consent, and
its bindings say from when they supersede the public data.

The consent's audiences are checked against the audiences a project knows: the built-in `public`,
`client` and `internal` (the `audiences` spec kind, when a project declares one, replaces them) and the
club's own scopes `contributor` and `club`. Whether anything computed from the data reaches an audience
outside the consent is proved on the plan (plan/consent.py, IX355).
"""

from __future__ import annotations

from collections.abc import Iterator

from indexc.codes import Code
from indexc.errors import Diagnostic
from indexc.spec.base import OPEN_END
from indexc.spec.contributed import BUILT_IN_AUDIENCES, SCOPES
from indexc.spec.measures import Binding
from indexc.spec.sources import DATA_SOURCES
from indexc.validate.catalog import Catalog
from indexc.validate.contributions import Contributions, contributor, is_contributed
from indexc.validate.models import did_you_mean


def known_audiences(catalog: Catalog) -> tuple[str, ...]:
    """The audience ids a consent may name: the project's (the `audiences` kind), else the built-in ones."""
    return tuple(sorted(catalog.audiences)) if catalog.audiences else BUILT_IN_AUDIENCES


def check(catalog: Catalog) -> Iterator[Diagnostic]:
    yield from _sources(catalog)
    yield from _bindings(catalog)
    yield from _uses(catalog)


def _sources(catalog: Catalog) -> Iterator[Diagnostic]:
    known = (*known_audiences(catalog), *SCOPES)
    for source_id, source in sorted(catalog.sources.items()):
        if not isinstance(source, DATA_SOURCES):
            continue
        if source.contributed_by is not None and source.consent is None:
            yield Diagnostic(
                Code.CONSENT_MISSING,
                f"source '{source_id}' is contributed by {source.contributed_by} without a consent",
                catalog.where("sources", source_id, "contributed_by"),
                "add `consent: {audiences: [...], uses: [...], given: YYYY-MM-DD}` as the council "
                "gave it; contributed data is never read without one",
            )
        if source.contributed_by is None and (source.consent or source.club):
            key = "consent" if source.consent else "club"
            yield Diagnostic(
                Code.CONSENT_MISSING,
                f"source '{source_id}' has `{key}` but no `contributed_by`",
                catalog.where("sources", source_id, key, key=True),
                "name the contributing council (`contributed_by: <area code>`), or remove "
                f"`{key}` from public data",
            )
        if source.consent is None:
            continue
        for i, audience in enumerate(source.consent.audiences):
            if audience not in known:
                yield Diagnostic(
                    Code.UNKNOWN_CONSENT_AUDIENCE,
                    f"the consent of source '{source_id}' names '{audience}', which is neither an "
                    "audience nor a scope of the club",
                    catalog.where("sources", source_id, "consent", "audiences", i),
                    did_you_mean(audience, known) or f"known: {', '.join(known)}",
                )
        if catalog.areas and source.contributed_by not in catalog.areas:
            yield Diagnostic(
                Code.UNKNOWN_CONSENT_AUDIENCE,
                f"source '{source_id}' is contributed by {source.contributed_by}, which is not in "
                "the area register",
                catalog.where("sources", source_id, "contributed_by"),
                did_you_mean(str(source.contributed_by), catalog.areas)
                or "name a council of the area register",
            )


def _bindings(catalog: Catalog) -> Iterator[Diagnostic]:
    for measure_id, measure in sorted(catalog.measures.items()):
        contributed = [i for i, b in enumerate(measure.bindings) if is_contributed(catalog, b)]
        if not contributed:
            continue
        if len(contributed) == len(measure.bindings):
            yield Diagnostic(
                Code.CONTRIBUTED_WITHOUT_PUBLIC,
                f"measure '{measure_id}' is bound to contributed sources only",
                catalog.where("measures", measure_id, "bindings"),
                "a contribution supersedes public data for its council; bind the public source "
                "of the measure too",
            )
        for i in contributed:
            binding = measure.bindings[i]
            if binding.periods.from_ is None:
                yield Diagnostic(
                    Code.CONTRIBUTED_BINDING_WITHOUT_FROM,
                    f"binding {i + 1} of measure '{measure_id}' reads contributed source "
                    f"'{binding.source}' without `periods: {{from: ...}}`",
                    catalog.where("measures", measure_id, "bindings", i),
                    "say from which period the contribution supersedes the public data, e.g. the "
                    "first period after the latest the public source publishes",
                )
            for j in contributed:
                other = measure.bindings[j]
                same = contributor(catalog, other.source) == contributor(catalog, binding.source)
                if j < i and same and _overlap(binding, other):
                    yield Diagnostic(
                        Code.CONTRIBUTIONS_OVERLAP,
                        f"bindings {j + 1} and {i + 1} of measure '{measure_id}' are both "
                        f"contributed by {contributor(catalog, binding.source)} for one period",
                        catalog.where("measures", measure_id, "bindings", i),
                        "end one contribution where the next begins",
                    )


def _overlap(a: Binding, b: Binding) -> bool:
    (a_from, a_to), (b_from, b_to) = (
        (x.periods.from_ or "", x.periods.to or OPEN_END) for x in (a, b)
    )
    return a_from <= b_to and b_from <= a_to


def _uses(catalog: Catalog) -> Iterator[Diagnostic]:
    """Contributed data scored in an index needs consent to `benchmarking`; in a club view, `club`."""
    reach = Contributions(catalog)
    for index_id, sources in sorted(reach.indexes.items()):
        for source_id in sources:
            source = catalog.sources[source_id]
            consent = getattr(source, "consent", None)
            if consent is not None and "benchmarking" not in consent.uses:
                yield Diagnostic(
                    Code.CONTRIBUTED_USE_NOT_CONSENTED,
                    f"index '{index_id}' scores contributed source '{source_id}', whose consent "
                    "does not give the use `benchmarking`",
                    catalog.where("sources", source_id, "consent", "uses"),
                    "leave the contribution out of the index's metrics, or record consent to "
                    "`benchmarking`",
                )
    for source_id, source in sorted(catalog.sources.items()):
        consent = getattr(source, "consent", None)
        if consent is not None and ("club" in consent.audiences) != ("club" in consent.uses):
            yield Diagnostic(
                Code.CONTRIBUTED_USE_NOT_CONSENTED,
                f"the consent of source '{source_id}' names the club as "
                + ("an audience but not a use" if "club" in consent.audiences else "a use only"),
                catalog.where("sources", source_id, "consent"),
                "a council joins the club's aggregates with both: `audiences: [club]` and "
                "`uses: [club]`",
            )
