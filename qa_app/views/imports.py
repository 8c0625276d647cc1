"""Importing case data on the web (qa_admin): upload, preview, confirm; history; pending
teams and staff. Large uploads are previewed and imported by background tasks."""

import io
import tempfile

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    send_file,
    url_for,
)
from flask_login import current_user

from qa_app import background
from qa_app.clock import utcnow
from qa_app.extensions import db
from qa_app.forms import choices, first_error
from qa_app.forms.imports import (
    FORMAT_LABELS,
    ConfirmImportForm,
    ConfirmPersonForm,
    ImportUploadForm,
    MergeForm,
    MergePersonForm,
    UndoImportForm,
)
from qa_app.importers import Limits, StructuralError
from qa_app.models import Import, ImportUpload, Team, User
from qa_app.permissions import requires
from qa_app.services.imports import apply as imports
from qa_app.services.imports import pending
from qa_app.services.imports import undo as import_undo
from qa_app.services.imports import uploads as import_uploads
from qa_app.services.imports.closures import ClosuresNotConfirmed
from qa_app.services.people import accounts
from qa_app.services.platform import csv_files, tasks
from qa_app.views import shown

bp = Blueprint("imports", __name__, url_prefix="/imports")
PENDING_SHOWN = 50


def _folder():
    return import_uploads.upload_folder(current_app.config, current_app.instance_path)


def _limits() -> Limits:
    return Limits.from_config(current_app.config)


def _share() -> float:
    return float(current_app.config["IMPORT_CLOSURE_CONFIRM_SHARE"])


def _inline(upload: ImportUpload) -> bool:
    return import_uploads.in_request(
        upload, inline_max_bytes=current_app.config["IMPORT_INLINE_MAX_BYTES"]
    )


def _start_task(kind: str, upload: ImportUpload, **params) -> None:
    """Commit a task row for the upload, then queue it (Redis down: it waits, and says so)."""
    task = tasks.create_task(kind, {"upload_id": upload.id, **params}, by=current_user)
    import_uploads.hand_to_task(upload, task)
    db.session.commit()
    try:
        tasks.mark_enqueued(task, background.enqueue_task(task), now=utcnow())
        db.session.commit()
    except background.BackgroundUnavailable:
        flash("Background work is delayed: it will start when the task queue is back.", "warning")


@bp.route("/")
@requires("imports.manage")
def index():
    return render_template(
        "imports/index.html",
        imports=imports.recent_imports(),
        uploads=import_uploads.recent_uploads(),
        pending_teams=len(pending.pending_teams()),
        pending_staff=len(pending.pending_staff()),
    )


@bp.route("/new", methods=["GET", "POST"])
@requires("imports.manage")
def new():
    form = ImportUploadForm()
    if form.validate_on_submit():
        files = [(f.filename or "upload", f.read()) for f in form.files.data if f]
        try:
            upload = import_uploads.stage_upload(
                files, form.as_of.data, form.format.data or None, by=current_user, now=utcnow(),
                folder=_folder(), limits=_limits(),
            )  # fmt: skip
        except StructuralError as exc:  # refused cheaply, before anything is stored
            form.files.errors.append(str(exc))
            return render_template("imports/new.html", form=form)
        if _inline(upload):
            import_uploads.preview_upload(
                upload, folder=_folder(), limits=_limits(), closure_share=_share()
            )
            db.session.commit()
        else:
            _start_task("import_preview", upload)
        return redirect(url_for("imports.upload", upload_id=upload.id))
    return render_template("imports/new.html", form=form)


def _get_upload(upload_id: int) -> ImportUpload:
    return db.session.get(ImportUpload, upload_id) or abort(404)


def _confirm_form(upload: ImportUpload) -> ConfirmImportForm:
    """The confirm form, asking for the number of cases closed when the preview said so."""
    form = ConfirmImportForm()
    preview = upload.preview or {}
    if (preview.get("confirmation") or {}).get("needed"):
        form.expected = preview.get("closed", 0)
    return form


def _upload_page(upload: ImportUpload, form: ConfirmImportForm):
    task = upload.task
    return render_template(
        "imports/upload.html",
        upload=upload,
        task=task,
        failed_task=task is not None and task.status == "failed",
        progress=background.get_progress(task.id) if task and not task.finished else None,
        formats=FORMAT_LABELS,
        form=form,
    )


@bp.route("/uploads/<int:upload_id>")
@requires("imports.manage")
def upload(upload_id: int):
    upload = _get_upload(upload_id)
    return _upload_page(upload, _confirm_form(upload))


@bp.route("/uploads/<int:upload_id>/confirm", methods=["POST"])
@requires("imports.manage")
def confirm(upload_id: int):
    upload = _get_upload(upload_id)
    if upload.status != "previewed":
        flash("This upload cannot be imported: it has not been previewed, or it is done.", "error")
        return redirect(url_for("imports.upload", upload_id=upload.id))
    form = _confirm_form(upload)
    if not form.validate_on_submit():
        return _upload_page(upload, form), 400
    if not _inline(upload):
        _start_task("import_cases", upload, confirm_closures=form.confirmed())
        return redirect(url_for("imports.upload", upload_id=upload.id))
    return _import_now(upload, form.confirmed())


def _import_now(upload: ImportUpload, confirmed: int | None):
    try:
        record = import_uploads.confirm_upload(
            upload, by=current_user, now=utcnow(), folder=_folder(), limits=_limits(),
            closure_share=_share(), confirm_closures=confirmed,
        )  # fmt: skip
    except (StructuralError, import_uploads.UploadError, ClosuresNotConfirmed) as exc:
        db.session.rollback()
        message = str(exc)
        if isinstance(exc, ClosuresNotConfirmed):  # the cases changed since the preview
            message = (
                f"The cases held have changed since the preview: t{message[1:]}. Nothing was "
                "changed: discard this upload and upload the files again to see a new preview"
            )
        flash(message, "error")
        return redirect(url_for("imports.upload", upload_id=upload.id))
    db.session.commit()
    import_uploads.remove_unused_files(_folder())
    flash(
        f"Imported: {record.open_cases:,} children with an open case; "
        f"{record.closed_cases:,} cases closed.",
        "success",
    )
    return redirect(url_for("imports.detail", import_id=record.id))


@bp.route("/uploads/<int:upload_id>/discard", methods=["POST"])
@requires("imports.manage")
def discard(upload_id: int):
    upload = _get_upload(upload_id)
    try:
        import_uploads.discard_upload(upload)
    except import_uploads.UploadError as exc:
        flash(str(exc), "error")
        return redirect(url_for("imports.upload", upload_id=upload.id))
    db.session.commit()
    import_uploads.remove_unused_files(_folder())
    flash("The upload has been discarded and its files deleted.", "success")
    return redirect(url_for("imports.index"))


@bp.route("/<int:import_id>")
@requires("imports.manage")
def detail(import_id: int):
    record = db.session.get(Import, import_id) or abort(404)
    latest = import_undo.latest_import()
    return render_template(
        "imports/detail.html",
        record=record,
        summary=record.summary or {},
        latest=latest is not None and latest.id == record.id,
        undo_blockers=import_undo.blockers(record) if record.status == "complete" else [],
        undo_form=UndoImportForm(),
    )


@bp.route("/<int:import_id>/undo", methods=["POST"])
@requires("imports.undo")
def undo(import_id: int):
    record = db.session.get(Import, import_id) or abort(404)
    if not UndoImportForm().validate_on_submit():
        abort(400)
    try:
        counts = import_undo.undo_import(record, by=current_user, now=utcnow())
    except import_undo.UndoRefused as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for("imports.detail", import_id=import_id))
    db.session.commit()
    flash(
        f"Import {import_id} has been undone: {counts['cases_restored']:,} cases are as they "
        f"were before it, and the {counts['cases_removed']:,} cases it added are removed.",
        "success",
    )
    return redirect(url_for("imports.detail", import_id=import_id))


@bp.route("/<int:import_id>/rejected.csv")
@requires("imports.manage")
def rejected_csv(import_id: int):
    record = db.session.get(Import, import_id) or abort(404)
    # Spooled to disk past a few megabytes: an import can reject a great many rows.
    spool = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115 - sent below
    text = io.TextIOWrapper(spool, encoding="utf-8-sig", newline="")
    writer = csv_files.writer(text)
    writer.writerow(["file", "sheet", "row", "column", "value", "reason"])
    count = 0
    for row in imports.rejected_rows(record):
        writer.writerow(row)
        count += 1
    text.flush()
    # Rejected rows are the file's rows (child ids and values), not cases held here: counted.
    shown.records_shown(count, "export_rejected_rows")
    text.detach()
    spool.seek(0)
    return send_file(
        spool,
        mimetype="text/csv",
        as_attachment=True,
        download_name=f"import-{record.id}-rejected-rows.csv",
    )


@bp.route("/pending")
@requires("imports.manage")
def pending_records():
    team_form = MergeForm(prefix="team")
    team_form.into.choices = choices([("", "Choose a team"), *pending.merge_targets_teams()])
    teams, staff = pending.pending_teams(), pending.pending_staff()
    return render_template(
        "imports/pending.html",
        teams=teams[:PENDING_SHOWN],
        staff=staff[:PENDING_SHOWN],
        more_teams=max(0, len(teams) - PENDING_SHOWN),
        more_staff=max(0, len(staff) - PENDING_SHOWN),
        team_form=team_form,
        confirm_form=ConfirmPersonForm(),
    )


def _settle(action, success: str):
    try:
        action()
    except pending.PendingError as exc:
        db.session.rollback()
        flash(str(exc), "error")
    else:
        db.session.commit()
        flash(success, "success")
    return redirect(url_for("imports.pending_records"))


@bp.route("/pending/teams/<int:team_id>/confirm", methods=["POST"])
@requires("imports.manage")
def confirm_team(team_id: int):
    team = db.session.get(Team, team_id) or abort(404)
    return _settle(lambda: pending.confirm_team(team), f"{team.name} has been confirmed.")


@bp.route("/pending/teams/<int:team_id>/merge", methods=["POST"])
@requires("imports.manage")
def merge_team(team_id: int):
    team = db.session.get(Team, team_id) or abort(404)
    form = MergeForm(prefix="team")
    into = db.session.get(Team, form.into.data) if form.validate_on_submit() else None
    if into is None:
        flash("Choose the team to merge into", "error")
        return redirect(url_for("imports.pending_records"))
    name = team.name
    return _settle(
        lambda: pending.merge_team(team, into), f"{name} has been merged into {into.name}."
    )


@bp.route("/pending/staff/<int:user_id>/confirm", methods=["POST"])
@requires("imports.manage")
def confirm_person(user_id: int):
    person = db.session.get(User, user_id) or abort(404)
    form = ConfirmPersonForm()
    if not form.validate_on_submit():
        flash(first_error(form), "error")
        return redirect(url_for("imports.pending_records"))
    return _settle(
        lambda: pending.confirm_person(person, form.email.data or ""),
        f"{person.name} has been confirmed.",
    )


@bp.route("/pending/staff/<int:user_id>/merge", methods=["POST"])
@requires("imports.manage")
def merge_person(user_id: int):
    person = db.session.get(User, user_id) or abort(404)
    form = MergePersonForm()
    into = accounts.find_user_by_email(form.into_email.data) if form.validate_on_submit() else None
    if into is None:
        flash("Enter the email address of the member of staff to merge into", "error")
        return redirect(url_for("imports.pending_records"))
    name = person.name
    return _settle(
        lambda: pending.merge_person(person, into), f"{name} has been merged into {into.name}."
    )
