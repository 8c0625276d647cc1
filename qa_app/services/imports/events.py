"""Keeping the events an import's files hold (docs/indicators.md, "What is kept").

For each kind the files hold, the rows already kept that the files speak for (the *scope*: rows
of the period the import covers, rows of the same child and date as one in the files, and for
List 7 and 8's latest dates the child's interval up to the as-of date) are compared with the
files' rows by fingerprint: equal rows are left alone, kept rows the files no longer have are
deleted, and new rows inserted. A re-import of the same files therefore writes nothing.

Teams and workers named on event rows are matched to the organisation (including the pending
ones this import creates for its cases) but never create anything: a name the service does not
know leaves ``team_id``/``worker_id`` blank, and the indicators fall back to the child's case.
"""

import hashlib
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import delete, select, update

from qa_app.bulk import insert_rows
from qa_app.extensions import db
from qa_app.importers.events import KINDS, Kind
from qa_app.importers.snapshot import ChildDetails, Snapshot
from qa_app.models import Child, EventCoverage
from qa_app.services.imports.directory import Directory, NewPerson, NewTeam, ref_id
from qa_app.services.imports.undo import keep_before, keep_created
from qa_app.services.performance.calendar_table import ensure_calendar
from qa_app.services.performance.tables import EVENT_TABLES
from qa_app.textnorm import name_key

BATCH = 10_000
ANALYZE_AFTER = 5_000  # rows added or removed in a table


def fingerprint(values: tuple) -> int:
    """A stable 64-bit digest of a row's values (Python's own hash changes per process)."""
    digest = hashlib.blake2b(repr(values).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


@dataclass
class KindPlan:
    kind: Kind
    rows: int = 0
    inserts: list[tuple] = field(default_factory=list)  # (la_id, source, team, worker, *fields)
    deletes: list[int] = field(default_factory=list)
    unchanged: int = 0
    period: tuple[date, date] | None = None

    def summary(self) -> dict:
        return {
            "label": self.kind.label,
            "rows": self.rows,
            "added": len(self.inserts),
            "removed": len(self.deletes),
            "unchanged": self.unchanged,
            "period": [d.isoformat() for d in self.period] if self.period else None,
        }


@dataclass
class EventPlan:
    as_of: date
    kinds: dict[str, KindPlan] = field(default_factory=dict)
    new_children: list[str] = field(default_factory=list)

    def summary(self) -> dict:
        """``{kind: {label, rows, added, removed, unchanged, period}}`` plus the children added
        for events alone (children with no open case)."""
        return {
            "kinds": {name: plan.summary() for name, plan in self.kinds.items()},
            "children_added": len(self.new_children),
        }


def _person(directory: Directory, name: str | None):
    """The worker a name or SWE number stands for, without creating anyone."""
    if not name:
        return None
    key = name_key(name)
    upper = name.strip().upper()
    if upper.startswith("SW") and upper[2:].isdigit():
        return directory.people_by_swe.get(upper) or directory.new_people.get(f"swe:{upper}")
    if key in directory.staff_aliases:
        return directory.staff_aliases[key]
    candidates = directory.people_by_key.get(key, [])
    if len(candidates) == 1:
        return candidates[0].id
    if candidates:
        confirmed = [p for p in candidates if p.active and not p.pending]
        return (confirmed or candidates)[0].id
    return directory.new_people.get(f"name:{key}")


def _token(ref):
    """What a team or person reference contributes to a fingerprint: its id, or for a record
    this import creates, its key (no row kept can match it)."""
    if isinstance(ref, NewTeam):
        return f"new-team:{ref.name}"
    if isinstance(ref, NewPerson):
        return f"new-person:{ref.name}:{ref.swe_number}"
    return ref


def _held(table, kind: Kind) -> list[tuple]:
    columns = [table.c.id, table.c.child_id, table.c[kind.key], table.c.fingerprint]
    columns.append(table.c[kind.end] if kind.end else None)
    columns.append(table.c[kind.sub] if kind.sub else None)
    return db.session.execute(select(*[c for c in columns if c is not None])).all()


def _plan_kind(kind: Kind, rows, windows, scopes, children, directory) -> KindPlan:
    table = EVENT_TABLES[kind.name]
    plan = KindPlan(kind, rows=len(rows))
    if windows:
        plan.period = (min(w[0] for w in windows), max(w[1] for w in windows))
    key_at = 4 + kind.fields.index(kind.key)
    sub_at = 4 + kind.fields.index(kind.sub) if kind.sub else None
    pk = {la: row[0] for la, row in children.items()}
    incoming: dict[int, list[tuple]] = {}
    keys = set()
    teams: dict = {None: None}
    workers: dict = {None: None}
    for row in rows:
        if row[2] not in teams:
            key = name_key(row[2])
            teams[row[2]] = directory.teams.get(key) or directory.new_teams.get(key)
        if row[3] not in workers:
            workers[row[3]] = _person(directory, row[3])
        team, worker = teams[row[2]], workers[row[3]]
        resolved = (row[0], row[1], team, worker, *row[4:])
        print_ = fingerprint((row[0], row[1], _token(team), _token(worker), *row[4:]))
        incoming.setdefault(print_, []).append(resolved)
        child = pk.get(row[0])
        if child is not None:
            keys.add((child, row[sub_at] if sub_at else None, row[key_at]))
    by_child: dict[tuple, list[tuple[date, date]]] = {}
    for la, sub, low, high in scopes:
        if la in pk:
            by_child.setdefault((pk[la], sub), []).append((low, high))
    wanted = Counter({fp: len(found) for fp, found in incoming.items()})
    for held in _held(table, kind):
        row_id, child, key, print_ = held[:4]
        end = held[4] if kind.end else None
        sub = held[-1] if kind.sub else None
        if not _in_scope(kind, child, sub, key, end, windows, keys, by_child):
            continue
        if wanted[print_] > 0:
            wanted[print_] -= 1
            plan.unchanged += 1
        else:
            plan.deletes.append(row_id)
    for print_, count in wanted.items():
        found = incoming[print_]
        plan.inserts.extend(found[len(found) - count :])
    return plan


def _in_scope(kind, child, sub, key, end, windows, keys, by_child) -> bool:
    for low, high in windows:
        if kind.end is not None:
            if key <= high and (end is None or end >= low):
                return True
        elif low <= key <= high:
            return True
    if (child, sub, key) in keys:
        return True
    return any(low <= key <= high for low, high in by_child.get((child, sub), ()))


def plan_events(
    snapshot: Snapshot, directory: Directory, children: dict[str, tuple], case_children: set
) -> EventPlan:
    """Work out what keeping the snapshot's events changes, writing nothing.

    *children* maps the la_child_ids already held to their rows (id first); *case_children*
    are the la_child_ids the case plan adds.
    """
    batch = snapshot.events
    plan = EventPlan(snapshot.as_of)
    for name in KINDS:
        if name not in batch.rows:
            continue
        plan.kinds[name] = _plan_kind(
            KINDS[name],
            batch.rows[name],
            batch.windows.get(name, []),
            batch.scopes.get(name, []),
            children,
            directory,
        )
    needed = {row[0] for kind in plan.kinds.values() for row in kind.inserts}
    plan.new_children = sorted(needed - children.keys() - case_children)
    return plan


def apply_events(
    plan: EventPlan, *, import_id: int, now: datetime, details: dict[str, ChildDetails]
) -> None:
    """Write *plan* (after the case plan, whose pending teams and staff now have ids)."""
    ensure_calendar()
    if plan.new_children:
        rows = []
        for la_id in plan.new_children:
            child = details.get(la_id) or ChildDetails(la_id)
            rows.append(
                {
                    "la_child_id": la_id,
                    "dob": child.dob,
                    "sex": child.sex,
                    "ethnicity": child.ethnicity,
                    "has_disability": child.has_disability,
                    "disability_codes": child.disability_codes,
                    "created_at": now,
                    "updated_at": now,
                }
            )
        for start in range(0, len(rows), BATCH):
            insert_rows(Child.__table__, rows[start : start + BATCH])
        keep_created("children", child_pks(plan.new_children).values(), import_id)
    wanted = {row[0] for kind in plan.kinds.values() for row in kind.inserts}
    pks = child_pks(sorted(wanted))
    changed: list[str] = []
    for name, kind_plan in plan.kinds.items():
        table = EVENT_TABLES[name]
        for start in range(0, len(kind_plan.deletes), BATCH):
            chunk = kind_plan.deletes[start : start + BATCH]
            keep_before(table, chunk, import_id)  # an undo puts them back
            db.session.execute(delete(table).where(table.c.id.in_(chunk)))
        _insert(kind_plan, table, pks, import_id)
        if len(kind_plan.inserts) + len(kind_plan.deletes) >= ANALYZE_AFTER:
            changed.append(table.name)
        db.session.add(
            EventCoverage(
                import_id=import_id,
                kind=name,
                period_start=kind_plan.period[0] if kind_plan.period else plan.as_of,
                period_end=kind_plan.period[1] if kind_plan.period else plan.as_of,
                rows=kind_plan.rows,
                added=len(kind_plan.inserts),
                removed=len(kind_plan.deletes),
                unchanged=kind_plan.unchanged,
            )
        )
    db.session.flush()
    _analyze(changed)


def _analyze(tables: list[str]) -> None:
    """Fresh planner statistics on PostgreSQL after a large load: the indicators' correlated
    subqueries took seconds instead of milliseconds until autovacuum got round to the tables."""
    connection = db.session.connection()
    if not tables or connection.dialect.name != "postgresql":
        return
    for name in [*tables, "cases", "children"]:
        connection.exec_driver_sql(f'ANALYZE "{name}"')


def _widths(table, fields: tuple[str, ...]) -> list[tuple[int, int]]:
    """(position, length) of the text columns: a longer code is cut to fit, as PostgreSQL
    would refuse it (and SQLite keep it whole)."""
    return [
        (i, table.c[name].type.length)
        for i, name in enumerate(fields)
        if getattr(table.c[name].type, "length", None)
    ]


def _insert(kind_plan: KindPlan, table, pks: dict[str, int], import_id: int) -> None:
    kind = kind_plan.kind
    widths = _widths(table, kind.fields)
    rows = []
    for row in kind_plan.inserts:
        team, worker = ref_id(row[2]), ref_id(row[3])
        values = {
            "child_id": pks[row[0]],
            "import_id": import_id,
            "source": row[1],
            # The stored fingerprint uses the ids the new teams and staff now have, as a
            # re-import will.
            "fingerprint": fingerprint((row[0], row[1], team, worker, *row[4:])),
        }
        if kind.allocated:
            values["team_id"] = team
            values["worker_id"] = worker
        fields = list(row[4:])
        for i, length in widths:
            if isinstance(fields[i], str) and len(fields[i]) > length:
                fields[i] = fields[i][:length]
        values.update(zip(kind.fields, fields, strict=True))
        rows.append(values)
        if len(rows) >= BATCH:
            insert_rows(table, rows)
            rows = []
    insert_rows(table, rows)


def child_pks(la_ids: list[str]) -> dict[str, int]:
    """Database ids of the children with these council ids, read in batches."""
    found: dict[str, int] = {}
    for start in range(0, len(la_ids), BATCH):
        chunk = la_ids[start : start + BATCH]
        found.update(
            db.session.execute(
                select(Child.la_child_id, Child.id).where(Child.la_child_id.in_(chunk))
            ).all()
        )
    return found


def repoint(column: str, old_id: int, new_id: int) -> None:
    """Give the rows of a merged team (``team_id``) or person (``worker_id``) to *new_id*."""
    for table in EVENT_TABLES.values():
        if column in table.c:
            db.session.execute(
                update(table).where(table.c[column] == old_id).values({column: new_id})
            )
