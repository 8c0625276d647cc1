"""Imports from the web page: upload, preview (a dry run), confirm or discard.

Uploaded files are kept in the upload folder under their SHA-256 (so a worker on another
process, or after a restart, can read them), and deleted once the import is done or discarded.
Uploads are screened first, cheaply and without inflating anything: a file over the size limits
or a workbook whose ZIP directory declares too much is refused before it is stored. What is left
is judged by the work it will take (a workbook by its declared inflated size, not its upload
size): large uploads are previewed and imported by background tasks (kinds ``import_preview``
and ``import_cases``); only small ones in the request.
"""

import hashlib
import os
from datetime import date, datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from qa_app.extensions import db
from qa_app.importers import Limits, SourceFile, StructuralError
from qa_app.importers.detect import work_size as file_work_size
from qa_app.models import BackgroundTask, Import, ImportUpload, User
from qa_app.services.imports import apply as imports
from qa_app.services.imports.closures import DEFAULT_SHARE
from qa_app.services.platform.tasks import Progress

PREVIEW_REJECTED = 50
OPEN_STATUSES = ("uploaded", "previewing", "previewed", "importing", "failed")


class UploadError(ValueError):
    """The upload cannot go on (gone, already imported); the message says why."""


def _path(folder: Path, sha256: str) -> Path:
    if len(sha256) != 64 or not all(c in "0123456789abcdef" for c in sha256):
        raise UploadError("not a stored file")
    return Path(folder) / sha256


def stage_upload(
    files: list[tuple[str, bytes]],
    as_of: date,
    fmt: str | None,
    *,
    by: User | None,
    now: datetime,
    folder: Path,
    limits: Limits,
) -> ImportUpload:
    """Keep the uploaded files and record the upload (flushes; the caller commits). Raises
    StructuralError, having stored nothing, for a file refused by ``work_size``."""
    work = [file_work_size(SourceFile(Path(name).name or "upload", d), limits) for name, d in files]
    Path(folder).mkdir(parents=True, exist_ok=True)
    stored = []
    for (name, data), size in zip(files, work, strict=True):
        digest = hashlib.sha256(data).hexdigest()
        path = _path(folder, digest)
        if not path.exists():
            partial = path.with_suffix(f".{os.getpid()}.part")
            partial.write_bytes(data)
            partial.replace(path)  # atomic: a reader never sees half a file
        stored.append(
            {"name": Path(name).name or "upload", "sha256": digest, "size": len(data), "work": size}
        )
    upload = ImportUpload(
        created_by=by, created_at=now, as_of=as_of, format=fmt, files=stored, status="uploaded"
    )
    db.session.add(upload)
    db.session.flush()
    return upload


def work_size(upload: ImportUpload) -> int:
    """The bytes reading the upload goes through (a workbook's inflated size): what decides
    whether it is read in the request or by a background task."""
    return sum(f.get("work", f["size"]) for f in upload.files)


def in_request(upload: ImportUpload, *, inline_max_bytes: int) -> bool:
    """Whether *upload* is small enough to preview and import while the page waits; a larger
    one is handed to a background task (``hand_to_task``). A workbook counts by its inflated
    size (``work_size``), which is what reading it costs."""
    return work_size(upload) <= inline_max_bytes


def hand_to_task(upload: ImportUpload, task: BackgroundTask) -> None:
    """Leave *upload*'s preview or import (the task's kind) to the background *task*."""
    upload.task = task
    upload.status = {"import_preview": "previewing", "import_cases": "importing"}[task.kind]
    db.session.flush()


def load_sources(upload: ImportUpload, folder: Path) -> list[SourceFile]:
    sources = []
    for info in upload.files:
        try:
            data = _path(folder, info["sha256"]).read_bytes()
        except FileNotFoundError as exc:
            raise UploadError(
                f"{info['name']} is no longer on the server; upload the files again"
            ) from exc
        sources.append(SourceFile(info["name"], data))
    return sources


def preview_upload(
    upload: ImportUpload,
    *,
    folder: Path,
    limits: Limits,
    progress: Progress | None = None,
    closure_share: float = DEFAULT_SHARE,
) -> dict | None:
    """Dry-run the upload and keep the summary for the preview page (with ``confirmation``:
    whether importing needs the number of cases it closes); a structural error is kept as the
    upload's error (status ``failed``)."""
    try:
        outcome = imports.run_import(
            load_sources(upload, folder),
            upload.as_of,
            fmt=upload.format,
            dry_run=True,
            by=upload.created_by,
            now=upload.created_at,
            limits=limits,
            progress=progress,
            closure_share=closure_share,
        )
    except (StructuralError, UploadError) as exc:
        upload.status = "failed"
        upload.error = str(exc)
        db.session.flush()
        return None
    summary = dict(outcome.summary)
    summary["rejected_count"] = len(summary["rejected"])
    summary["rejected"] = summary["rejected"][:PREVIEW_REJECTED]
    upload.preview = summary
    upload.status = "previewed"
    upload.error = None
    db.session.flush()
    return summary


def confirm_upload(
    upload: ImportUpload,
    *,
    by: User | None,
    now: datetime,
    folder: Path,
    limits: Limits,
    progress: Progress | None = None,
    closure_share: float = DEFAULT_SHARE,
    confirm_closures: int | None = None,
) -> Import:
    """Import the previewed upload for real. Raises StructuralError (nothing changed) if the
    database changed since the preview in a way that makes it impossible, and
    ``closures.ClosuresNotConfirmed`` (nothing changed) if the import needs the number of cases
    it closes and *confirm_closures* is not that number."""
    if upload.status == "imported" and upload.result is not None:
        return upload.result  # a retried job: already done
    if upload.status not in ("previewed", "importing"):
        raise UploadError("Only a previewed upload can be imported")
    outcome = imports.run_import(
        load_sources(upload, folder),
        upload.as_of,
        fmt=upload.format,
        by=by,
        now=now,
        limits=limits,
        progress=progress,
        closure_share=closure_share,
        confirm_closures=confirm_closures,
    )
    upload.status = "imported"
    upload.result = outcome.record
    db.session.flush()
    return outcome.record


def discard_upload(upload: ImportUpload) -> None:
    failed = upload.task is not None and upload.task.status == "failed"
    if upload.status == "imported" or (upload.status == "importing" and not failed):
        raise UploadError("This upload has been imported or is being imported")
    upload.status = "discarded"
    db.session.flush()


def remove_unused_files(folder: Path) -> int:
    """Delete stored files that no open upload needs; call after a commit. Returns how many."""
    wanted = set()
    for files in db.session.scalars(
        select(ImportUpload.files).where(ImportUpload.status.in_(OPEN_STATUSES))
    ):
        wanted |= {f["sha256"] for f in files}
    removed = 0
    folder = Path(folder)
    if not folder.is_dir():
        return 0
    for path in folder.iterdir():
        if path.is_file() and path.name not in wanted and len(path.name) == 64:
            path.unlink(missing_ok=True)
            removed += 1
    return removed


def discard_stale_uploads(*, now: datetime, older_than: timedelta) -> int:
    """Uploads left unconfirmed, or whose task died, for too long are discarded (their files
    then removed)."""
    stale = db.session.scalars(
        select(ImportUpload).where(
            ImportUpload.status.in_(OPEN_STATUSES),
            ImportUpload.created_at < now - older_than,
        )
    ).all()
    for upload in stale:
        upload.status = "discarded"
    db.session.flush()
    return len(stale)


def upload_folder(config, instance_path: str) -> Path:
    """Where uploaded files wait: IMPORT_UPLOAD_FOLDER, else ``imports/`` in the instance folder
    (on several servers, a shared folder every web and worker process can read)."""
    return Path(config.get("IMPORT_UPLOAD_FOLDER") or Path(instance_path) / "imports")


def preview_task(
    task: BackgroundTask,
    progress: Progress,
    *,
    folder: Path,
    limits: Limits,
    closure_share: float = DEFAULT_SHARE,
):
    """Run a queued ``import_preview`` task."""
    upload = task_upload(task)
    summary = preview_upload(
        upload, folder=folder, limits=limits, progress=progress, closure_share=closure_share
    )
    if summary is None:
        return {"status": "failed", "error": upload.error}
    return {"status": "previewed", "open_cases": summary["open_cases"]}


def import_task(
    task: BackgroundTask,
    progress: Progress,
    *,
    now: datetime,
    folder: Path,
    limits: Limits,
    closure_share: float = DEFAULT_SHARE,
) -> dict:
    """Run a queued ``import_cases`` task with the number of closures the user confirmed (its
    ``confirm_closures`` parameter); structural errors and refusals are not retried."""
    upload = task_upload(task)
    record = confirm_upload(
        upload,
        by=task.created_by,
        now=now,
        folder=folder,
        limits=limits,
        progress=progress,
        closure_share=closure_share,
        confirm_closures=task.params.get("confirm_closures"),
    )
    remove_unused_files(folder)
    return {
        "import_id": record.id,
        "open_cases": record.open_cases,
        "rejected_rows": record.rejected_rows,
    }


def task_upload(task: BackgroundTask) -> ImportUpload:
    upload = db.session.get(ImportUpload, int(task.params["upload_id"]))
    if upload is None:
        raise UploadError(f"upload {task.params['upload_id']} not found")
    return upload


def recent_uploads(limit: int = 10) -> list[ImportUpload]:
    return list(
        db.session.scalars(
            select(ImportUpload)
            .where(ImportUpload.status.in_(OPEN_STATUSES))
            .order_by(ImportUpload.id.desc())
            .limit(limit)
        )
    )
