"""Undoing the latest import (docs/formats.md#undoing-the-latest-import; issue 15).

While an import is applied, every row it changes or deletes is kept as it was (cases it closes
or updates, children whose details it updates, event rows its files replace) and every row it
creates is noted (children, pending teams and staff; its cases and event rows carry its
``import_id``), in ``ImportUndoRow``. Undoing puts those rows back exactly and deletes what it
created, so the case table is as it was before the import.

Only the latest completed import can be undone, and not once work depends on it: anything that
refers to a case or child it created (a sample, an audit, an action, a safeguarding concern, an
access log entry), or a sample drawn since it, whose frame was its open cases.
"""

from datetime import date, datetime

from sqlalchemy import Date, DateTime, bindparam, delete, func, select

from qa_app.bulk import insert_rows
from qa_app.extensions import db
from qa_app.models import (
    AuditCycle,
    Case,
    Child,
    EventCoverage,
    Import,
    ImportUndoRow,
    Team,
    User,
    UserRole,
)
from qa_app.services.performance.tables import EVENT_TABLES

BATCH = 5_000
# What each table that may refer to an import's new case or child is called in a refusal.
DEPENDANT_LABELS = {
    "sample_items": "sampled cases",
    "audits": "audits",
    "actions": "actions",
    "escalation_triggers": "escalation triggers",
    "safeguarding_concerns": "safeguarding concerns",
    "access_log": "access log entries (someone opened the case)",
}


class UndoRefused(ValueError):
    """The import cannot be undone; the message says what depends on it. Nothing changed."""


def _jsonable(value):
    return value.isoformat() if isinstance(value, date | datetime) else value


def keep_before(table, ids, import_id: int) -> None:
    """Keep *table*'s rows *ids* as they are now, before the import changes or deletes them."""
    ids = sorted(set(ids))
    for start in range(0, len(ids), BATCH):
        rows = db.session.execute(select(table).where(table.c.id.in_(ids[start : start + BATCH])))
        insert_rows(
            ImportUndoRow.__table__,
            [
                {
                    "import_id": import_id,
                    "table_name": table.name,
                    "row_id": row.id,
                    "created": False,
                    "before": {k: _jsonable(v) for k, v in row._mapping.items()},
                }
                for row in rows
            ],
        )


def keep_created(table_name: str, ids, import_id: int) -> None:
    """Note the rows of *table_name* the import created (deleted by an undo)."""
    rows = [
        {
            "import_id": import_id,
            "table_name": table_name,
            "row_id": i,
            "created": True,
            "before": {},
        }
        for i in sorted(set(ids))
    ]
    for start in range(0, len(rows), BATCH):
        insert_rows(ImportUndoRow.__table__, rows[start : start + BATCH])


def latest_import() -> Import | None:
    """The import an undo would undo: the latest one still in force."""
    return db.session.scalar(
        select(Import).where(Import.status == "complete").order_by(Import.id.desc()).limit(1)
    )


def _created(record: Import, table_name: str):
    return select(ImportUndoRow.row_id).where(
        ImportUndoRow.import_id == record.id,
        ImportUndoRow.table_name == table_name,
        ImportUndoRow.created,
    )


def _references(target: str, ids, skip: set[str]) -> dict[str, int]:
    """Rows of other tables that refer to the *target* rows *ids* (a subquery), by table."""
    found: dict[str, int] = {}
    for table in db.metadata.sorted_tables:
        if table.name in skip:
            continue
        for fk in table.foreign_keys:
            if fk.column.table.name != target or fk.ondelete == "CASCADE":
                continue
            count = db.session.scalar(
                select(func.count()).select_from(table).where(fk.parent.in_(ids))
            )
            if count:
                found[table.name] = found.get(table.name, 0) + count
    return found


def blockers(record: Import) -> list[str]:
    """Why *record* cannot be undone now, in words; empty when it can."""
    latest = latest_import()
    if record.status != "complete":
        return ["it has already been undone"]
    if latest is None or latest.id != record.id:
        return [f"a later import (import {latest.id}) depends on it; undo that one first"]
    if not record.undo_kept:
        return ["it kept no copy of the cases as they were (the demo data, or an import made "
                "before undo was possible)"]  # fmt: skip
    new_cases = select(Case.id).where(Case.import_id == record.id)
    found = _references("cases", new_cases, {"cases"})
    children = _references("children", _created(record, "children"), {"cases", *EVENT_TABLES})
    for name, count in children.items():
        found[name] = found.get(name, 0) + count
    reasons = [
        f"{count:,} {DEPENDANT_LABELS.get(name, name.replace('_', ' '))} on cases or children "
        "it added"
        for name, count in sorted(found.items())
    ]
    drawn = db.session.scalars(
        select(AuditCycle.month).where(AuditCycle.drawn_at >= record.created_at)
    ).all()
    if drawn:
        reasons.append(f"the sample for {', '.join(sorted(drawn))} was drawn from its cases")
    return reasons


def undo_import(record: Import, *, by: User | None, now: datetime) -> dict[str, int]:
    """Put every row *record* changed back as it was and delete what it created (flushes; the
    caller commits). Raises ``UndoRefused``, changing nothing, when ``blockers`` finds any.
    Returns counts of what was put back and removed."""
    reasons = blockers(record)
    if reasons:
        raise UndoRefused(f"Import {record.id} cannot be undone: " + "; ".join(reasons))
    counts = {"cases_removed": 0, "cases_restored": 0}
    for table in EVENT_TABLES.values():
        db.session.execute(delete(table).where(table.c.import_id == record.id))
    db.session.execute(delete(EventCoverage).where(EventCoverage.import_id == record.id))
    counts["cases_removed"] = db.session.execute(
        delete(Case).where(Case.import_id == record.id)
    ).rowcount
    befores: dict[str, list[dict]] = {}
    for name, before in db.session.execute(
        select(ImportUndoRow.table_name, ImportUndoRow.before)
        .where(ImportUndoRow.import_id == record.id, ~ImportUndoRow.created)
        .order_by(ImportUndoRow.id)
    ):
        befores.setdefault(name, []).append(before)
    for name, rows in befores.items():
        table = db.metadata.tables[name]
        typed = [_typed(table, row) for row in rows]
        if name in EVENT_TABLES:
            insert_rows(table, typed)  # the rows its files replaced
        else:
            _restore(table, typed)
    counts["cases_restored"] = len(befores.get("cases", []))
    db.session.execute(delete(Child).where(Child.id.in_(_created(record, "children"))))
    _remove_unused_pending(record)
    db.session.execute(delete(ImportUndoRow).where(ImportUndoRow.import_id == record.id))
    record.status = "undone"
    record.undone_at = now
    record.undone_by = by
    db.session.flush()
    db.session.expire_all()
    return counts


def _typed(table, row: dict) -> dict:
    values = {}
    for key, value in row.items():
        kind = table.c[key].type
        if value is not None and isinstance(kind, DateTime):
            value = datetime.fromisoformat(value)
        elif value is not None and isinstance(kind, Date):
            value = date.fromisoformat(value)
        values[key] = value
    return values


def _restore(table, rows: list[dict]) -> None:
    columns = [c.name for c in table.c if c.name != "id"]
    statement = (
        table.update()
        .where(table.c.id == bindparam("b_id"))
        .values({name: bindparam(f"b_{name}") for name in columns})
    )
    params = [{f"b_{k}": v for k, v in row.items()} for row in rows]
    for start in range(0, len(params), BATCH):
        db.session.execute(statement, params[start : start + BATCH])


def _remove_unused_pending(record: Import) -> None:
    """Delete the pending teams and staff the import created that nothing else refers to now;
    any confirmed since, or in use, stay."""
    users = _created(record, "users")
    in_use = set()
    for name in _references("users", users, set()):
        table = db.metadata.tables[name]
        for fk in table.foreign_keys:
            if fk.column.table.name == "users" and fk.ondelete != "CASCADE":
                in_use |= set(db.session.scalars(select(fk.parent).where(fk.parent.in_(users))))
    gone = [
        i for i in db.session.scalars(select(User.id).where(User.id.in_(users), User.pending))
        if i not in in_use
    ]  # fmt: skip
    if gone:
        db.session.execute(delete(UserRole).where(UserRole.user_id.in_(gone)))
        db.session.execute(delete(User).where(User.id.in_(gone)))
    teams = _created(record, "teams")
    used = set()
    for name in _references("teams", teams, set()):
        table = db.metadata.tables[name]
        for fk in table.foreign_keys:
            if fk.column.table.name == "teams" and fk.ondelete != "CASCADE":
                used |= set(db.session.scalars(select(fk.parent).where(fk.parent.in_(teams))))
    db.session.execute(
        delete(Team).where(Team.id.in_(teams), Team.pending, Team.id.not_in(used or {-1}))
    )
