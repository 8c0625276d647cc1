"""Applying a snapshot of open cases at date D (docs/formats.md#what-a-later-import-does).

One import is one snapshot: ``plan.plan_import`` works out every change without writing (a dry
run is that plan with nothing applied); ``apply_plan`` writes it with bulk statements, and
``run_import`` does both, all or nothing. Also the lists of past imports and rejected rows.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select, text, update

from qa_app.bulk import insert_rows
from qa_app.extensions import db
from qa_app.importers import Limits, SourceFile, read_files
from qa_app.importers.snapshot import ChildDetails
from qa_app.models import Case, Child, Import, ImportRejectedRow, User
from qa_app.services.imports.closures import DEFAULT_SHARE, ClosureCheck, require_confirmation
from qa_app.services.imports.directory import ref_id
from qa_app.services.imports.events import apply_events, child_pks
from qa_app.services.imports.plan import ImportPlan, plan_import
from qa_app.services.imports.undo import keep_before, keep_created
from qa_app.services.performance.warm import request_warming

Progress = Callable[[int, str], None]
BATCH = 10_000
PREVIEW_REJECTED = 50
_LOCK_KEY = 0x51A_1B0  # PostgreSQL advisory lock: one import at a time


def _lock() -> None:
    connection = db.session.connection()
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK_KEY})


def apply_plan(
    plan: ImportPlan,
    *,
    by: User | None,
    now: datetime,
    files: list[dict],
    progress: Progress | None = None,
) -> Import:
    """Write *plan* (flushes; the caller commits) and record the Import row."""
    report = progress or (lambda _pct, _msg: None)
    snapshot = plan.snapshot
    summary = plan.summary(files=files, dry_run=False)
    record = Import(
        created_by=by,
        created_at=now,
        format=snapshot.format,
        as_of=snapshot.as_of,
        files=files,
        summary=summary,
        status="complete",
        children=summary["children"],
        open_cases=summary["open_cases"],
        closed_cases=summary["closed"],
        rejected_rows=snapshot.rejected_rows(),
        undo_kept=True,
    )
    db.session.add(record)
    db.session.flush()
    report(55, "Creating pending teams and staff")
    plan.directory.create_pending()
    _keep_for_undo(plan, record.id)

    report(60, f"Adding {len(plan.new_children):,} children")
    _insert_children(plan.new_children, now)
    keep_created(
        "children", child_pks([c.la_child_id for c in plan.new_children]).values(), record.id
    )
    if plan.child_updates:
        db.session.execute(update(Child), [{**u, "updated_at": now} for u in plan.child_updates])
    if plan.case_closes:
        report(70, f"Closing {len(plan.case_closes):,} cases")
        db.session.execute(update(Case), [{**c, "updated_at": now} for c in plan.case_closes])
    if plan.case_updates:
        report(75, f"Updating {len(plan.case_updates):,} cases")
        db.session.execute(update(Case), [_resolved(u, now) for u in plan.case_updates])
    report(80, f"Opening {len(plan.case_inserts):,} cases")
    if plan.case_inserts:
        lookup = child_pks([c["la_child_id"] for c in plan.case_inserts])
        rows = []
        for insert in plan.case_inserts:
            row = _resolved(insert, now)
            row["child_id"] = lookup[row.pop("la_child_id")]
            row.update(closed_on=None, import_id=record.id, created_at=now)
            rows.append(row)
        for start in range(0, len(rows), BATCH):
            insert_rows(Case.__table__, rows[start : start + BATCH])
    report(88, "Keeping the events")
    apply_events(plan.events, import_id=record.id, now=now, details=snapshot.children)
    report(95, "Recording rejected rows")
    rejected = [{"import_id": record.id, **r.as_dict()} for r in snapshot.rejected]
    for start in range(0, len(rejected), BATCH):
        insert_rows(ImportRejectedRow.__table__, rejected[start : start + BATCH])
    db.session.flush()
    # Bulk statements bypass the identity map: make loaded objects read the new rows.
    db.session.expire_all()
    return record


def _keep_for_undo(plan: ImportPlan, import_id: int) -> None:
    """Keep what the plan changes as it is now, and note what it created, for an undo."""
    keep_created("teams", [t.id for t in plan.directory.new_teams.values()], import_id)
    keep_created("users", [p.id for p in plan.directory.new_people.values()], import_id)
    keep_before(Child.__table__, [u["id"] for u in plan.child_updates], import_id)
    cases = [c["id"] for c in plan.case_closes] + [u["id"] for u in plan.case_updates]
    keep_before(Case.__table__, cases, import_id)


def _resolved(values: dict, now: datetime) -> dict:
    row = dict(values)
    for key in ("team_id", "worker_id", "iro_id"):
        if key in row:
            row[key] = ref_id(row[key])
    row["updated_at"] = now
    return row


def _insert_children(new: list[ChildDetails], now: datetime) -> None:
    rows = [
        {
            "la_child_id": c.la_child_id,
            "dob": c.dob,
            "sex": c.sex,
            "ethnicity": c.ethnicity,
            "has_disability": c.has_disability,
            "disability_codes": c.disability_codes,
            "created_at": now,
            "updated_at": now,
        }
        for c in new
    ]
    for start in range(0, len(rows), BATCH):
        insert_rows(Child.__table__, rows[start : start + BATCH])


@dataclass
class ImportOutcome:
    summary: dict
    record: Import | None  # None for a dry run


def run_import(
    files: list[SourceFile],
    as_of: date,
    *,
    fmt: str | None = None,
    dry_run: bool = False,
    by: User | None,
    now: datetime,
    limits: Limits | None = None,
    progress: Progress | None = None,
    closure_share: float = DEFAULT_SHARE,
    confirm_closures: int | None = None,
) -> ImportOutcome:
    """Read *files* and import them as the snapshot at *as_of* (or only plan it: *dry_run*).

    Raises ``StructuralError`` with nothing changed for a wrong file, a missing sheet or column,
    or a limit; rejected rows are listed in the summary. An import that closes more than
    *closure_share* of the open cases it covers, or accepted no row, raises
    ``closures.ClosuresNotConfirmed`` (nothing changed) unless *confirm_closures* is the number
    of cases it closes. Flushes; the caller commits.
    """
    report = progress or (lambda _pct, _msg: None)
    snapshot = read_files(
        files,
        as_of,
        fmt=fmt,
        limits=limits,
        progress=lambda fraction, message: report(int(5 + 40 * fraction), message),
    )
    file_info = [{"name": f.name, "sha256": f.sha256, "size": f.size} for f in files]
    if not dry_run:
        _lock()
    report(45, "Comparing with the cases already held")
    plan = plan_import(snapshot)
    check = ClosureCheck(plan.changes["closed"], plan.covered_open, len(snapshot.children))
    confirmation = {
        "needed": check.needs_confirmation(closure_share),
        "reason": check.reason(closure_share),
        "share": closure_share,
    }
    if dry_run:
        report(100, "Dry run complete")
        summary = plan.summary(files=file_info, dry_run=True)
        return ImportOutcome({**summary, "confirmation": confirmation}, None)
    require_confirmation(check, share=closure_share, confirmed=confirm_closures)
    record = apply_plan(plan, by=by, now=now, files=file_info, progress=report)
    record.summary = {**record.summary, "confirmation": confirmation}
    request_warming(record.id)
    report(100, "Import complete")
    return ImportOutcome(record.summary, record)


def recent_imports(limit: int = 50) -> list[Import]:
    return list(db.session.scalars(select(Import).order_by(Import.id.desc()).limit(limit)))


def rejected_rows(record: Import):
    """The import's rejected rows, in file order, for the CSV download (streamed)."""
    return db.session.execute(
        select(
            ImportRejectedRow.file,
            ImportRejectedRow.sheet,
            ImportRejectedRow.row,
            ImportRejectedRow.column,
            ImportRejectedRow.value,
            ImportRejectedRow.reason,
        )
        .where(ImportRejectedRow.import_id == record.id)
        .order_by(ImportRejectedRow.id)
        .execution_options(yield_per=5000)
    )


def open_case_count() -> int:
    return db.session.scalar(select(func.count(Case.id)).where(Case.closed_on.is_(None))) or 0
