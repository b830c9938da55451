"""Taking and listing snapshots: the published outputs frozen, append-only, with what made them.

A snapshot copies what is published (not the build schema, and not the specs as they are now):
each output the publication marks as frozen, with the spec hash, compiler version and geography
date the publication recorded, and the data's as-of date the user gives. A snapshot is named by
its as-of date and label; taking one again is refused, and nothing here updates or deletes a row.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from sqlglot import exp

from indexc import __version__
from indexc.codes import Code
from indexc.engines.sessions import QueryFailed, Session
from indexc.generate.publish import PUBLICATION, PUBLISHED_OBJECTS
from indexc.generate.snapshots import (
    REGISTRY_COLUMNS,
    empty_copy,
    ensure,
    registry_query,
)
from indexc.generate.targets import SqlTarget
from indexc.plan.snapshots import REGISTRY


class Refused(Exception):
    """The snapshot was not taken; the message says why, and nothing was written."""

    def __init__(self, message: str, hint: str, code: Code = Code.SNAPSHOT_NOT_TAKEN):
        super().__init__(message)
        self.hint, self.code = hint, code


@dataclass(frozen=True)
class Taken:
    snapshot_id: int
    frozen: dict[str, int]  # object -> rows frozen


def _columns(session: Session, target: SqlTarget, schema: str, table: str) -> list[str]:
    rows = session.query(
        target.render(
            exp.select("column_name")
            .from_("information_schema.columns")
            .where(
                exp.and_(
                    *(
                        _same_name(column, value)
                        for column, value in (("table_schema", schema), ("table_name", table))
                    )
                )
            )
            .order_by("ordinal_position")
        )
    )
    return [row["column_name"].lower() for row in rows]


def _same_name(column: str, name: str) -> exp.Expression:
    """Names compared ignoring case: DuckDB keeps them as written, Snowflake upper-cases them."""
    return exp.EQ(
        this=exp.Lower(this=exp.column(column)), expression=exp.Lower(this=exp.Literal.string(name))
    )


def _publication(
    session: Session, target: SqlTarget, what_if_date: datetime.date | None
) -> tuple[dict[str, Any], list[str]]:
    try:
        about = session.query(
            target.render(exp.select("*").from_(target.published_table(PUBLICATION)))
        )
        frozen = session.query(
            target.render(
                exp.select("name")
                .from_(target.published_table(PUBLISHED_OBJECTS))
                .where("frozen")
                .order_by("name")
            )
        )
    except QueryFailed as err:  # no publication to read
        raise Refused(
            f"nothing is published in {target.spec.published} to snapshot ({str(err).splitlines()[0]})",
            "run 'indexc run' first: a snapshot freezes what a run published",
        ) from None
    if not frozen:
        raise Refused(
            "the publication holds no index outputs to freeze",
            "define an index and run 'indexc run'",
        )
    _what_if_agreed(about[0], target, what_if_date)
    return about[0], [row["name"] for row in frozen]


def _what_if_agreed(
    about: dict[str, Any], target: SqlTarget, what_if_date: datetime.date | None
) -> None:
    """A what-if published as live (run --publish-as-live, whatif.py) is frozen only when the take is given
    what-if options of the same geography date, and what-if options freeze nothing else: neither the
    live result nor a what-if is snapshotted as the other by accident."""
    published = about.get("what_if")  # publications older than what-ifs have no such column
    if published and what_if_date is None:
        raise Refused(
            f"the publication in {target.spec.published} is what-if '{published}', published as the live "
            "result: it is not frozen as the live result",
            "run 'indexc run' without what-if options to publish the live result, then take the snapshot; "
            "to freeze the what-if, give snapshot take its --proposed or --geography-date",
            Code.WHAT_IF_NOT_FROZEN,
        )
    if what_if_date is not None and (
        not published or str(about["geography_date"]) != what_if_date.isoformat()
    ):
        shown = (
            f"what-if '{published}' on the geography of {about['geography_date']}"
            if published
            else "the live result"
        )
        raise Refused(
            f"the publication in {target.spec.published} is {shown}, not the what-if these options make: "
            "nothing was frozen",
            "leave out --proposed and --geography-date to freeze the live result",
            Code.WHAT_IF_NOT_FROZEN,
        )


def existing(session: Session, target: SqlTarget) -> list[dict[str, Any]]:
    """Every snapshot taken, oldest first; none when the registry does not exist yet."""
    if not _columns(session, target, target.spec.snapshots, REGISTRY):
        return []
    return session.query(
        target.render(
            exp.select("*").from_(target.snapshot_table(REGISTRY)).order_by("snapshot_id")
        )
    )


def take(
    session: Session,
    target: SqlTarget,
    as_of: datetime.date,
    label: str,
    what_if_date: datetime.date | None = None,
) -> Taken:
    """`what_if_date`: the take was given what-if options (whatif.py), making this geography date."""
    about, frozen = _publication(session, target, what_if_date)
    taken = existing(session, target)
    for row in taken:
        if str(row["as_of"]) == as_of.isoformat() and (row["label"] or "") == label:
            named = f"{as_of.isoformat()}" + (f" '{label}'" if label else "")
            raise Refused(
                f"snapshot {named} exists (id {row['snapshot_id']}, taken {row['taken_at']}); snapshots "
                "are never replaced",
                "give this one another --label, or another --as-of date",
            )
    # DDL first: Snowflake commits it at once; the tables are created empty, or left as they are
    statements = [
        target.render(
            exp.Create(this=target.schema(target.spec.snapshots), kind="SCHEMA", exists=True)
        ),
        target.render(ensure(target, REGISTRY, registry_query())),
    ]
    statements += [
        target.render(ensure(target, name, empty_copy(target, target.published_table(name))))
        for name in frozen
    ]
    for sql in statements:
        session.execute(sql)
    snapshot_id = 1 + max((int(row["snapshot_id"]) for row in taken), default=0)
    number = exp.Literal.number(snapshot_id)
    inserts = []
    for name in frozen:
        have = _columns(session, target, target.spec.published, name)
        kept = _columns(session, target, target.spec.snapshots, name)
        new = [c for c in have if c not in kept]
        if new:
            raise Refused(
                f"{name} now has column(s) {', '.join(new)} that its snapshots do not: snapshot tables are "
                "never altered",
                "set 'snapshot_schema:' in the target file to a new schema to start a new "
                "series of snapshots; the old one stays as it is",
            )
        columns = [c for c in kept if c != "snapshot_id"]
        selected = [exp.column(c) if c in have else exp.null() for c in columns]
        inserts.append(
            exp.insert(
                exp.select(number.copy(), *selected).from_(target.published_table(name)),
                target.snapshot_table(name),
                columns=["snapshot_id", *columns],
            )
        )
    registry = exp.insert(
        exp.select(
            number.copy(),
            exp.cast(exp.Literal.string(as_of.isoformat()), "DATE"),
            exp.Literal.string(label) if label else exp.null(),
            exp.Literal.string(about["spec_hash"]),
            exp.Literal.string(about["compiler_version"] or __version__),
            exp.Literal.string(about["target"]),
            exp.cast(exp.Literal.string(str(about["geography_date"])), "DATE")
            if about["geography_date"]
            else exp.cast(exp.null(), "DATE"),
            exp.cast(exp.Literal.string(str(about["published_at"])[:26]), "TIMESTAMP"),
            exp.cast(exp.CurrentTimestamp(), "TIMESTAMP"),
        ),
        target.snapshot_table(REGISTRY),
        columns=[name for name, _ in REGISTRY_COLUMNS],
    )
    session.atomically([target.render(e) for e in [*inserts, registry]])
    counts = {}
    for name in frozen:
        rows = session.query(
            target.render(
                exp.select("COUNT(*) AS n")
                .from_(target.snapshot_table(name))
                .where(exp.EQ(this=exp.column("snapshot_id"), expression=number.copy()))
            )
        )
        counts[name] = int(rows[0]["n"])
    return Taken(snapshot_id, counts)
