"""The audit: task list, one page per section, compliance, overall grade, check and submit;
autosave; safeguarding concerns; the read-only audit, reflections and the PDF."""

import random

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user

from qa_app.clock import to_local, utcnow
from qa_app.extensions import db
from qa_app.forms import audits as audit_fields
from qa_app.forms import first_error
from qa_app.forms.audit_records import ConcernForm, ReflectionForm, ReopenForm
from qa_app.models import Assignment
from qa_app.permissions import requires
from qa_app.security import safe_next_url
from qa_app.services.audits import access as audit_access
from qa_app.services.audits import answers as audit_answers
from qa_app.services.audits import form as audit_form
from qa_app.services.audits import pages as audit_pages
from qa_app.services.audits import reflections, safeguarding
from qa_app.services.audits import submission as audit_submission
from qa_app.services.moderation.rules import ModerationRules
from qa_app.services.people import access_log as access
from qa_app.services.toolkits.store import NoToolkitForCohort

bp = Blueprint("audits", __name__, url_prefix="/audits")
CONCERN_RAISED = (
    "Safeguarding concern raised. The team manager and head of service have been alerted and an "
    "action due in 1 working day has been created."
)


def _editable(audit_id: int, *, draft: bool = True):
    audit = audit_form.editable_audit(current_user, audit_id)
    if audit is None:
        abort(404)
    return audit


def _log(audit, action: str = "view_audit") -> None:
    """Write the access log entry; committed by ``_logged`` once the page is drawn."""
    access.log_case_access(
        current_user, audit.case, action=action, now=utcnow(), endpoint=request.endpoint
    )


def _logged(body, status: int = 200):
    # Committing only after rendering keeps the loaded rows fresh for the template.
    db.session.commit()
    return body, status


def _expected_version() -> int:
    try:
        return int(request.form.get("version", ""))
    except ValueError:
        return -1


@bp.route("/start/<int:assignment_id>", methods=["POST"])
@requires("audits.work")
def start(assignment_id: int):
    assignment = db.session.get(Assignment, assignment_id)
    if assignment is None or assignment.auditor_id != current_user.id:
        abort(404)
    try:
        audit = audit_form.start_audit(assignment, by=current_user, now=utcnow())
    except (audit_form.AuditError, NoToolkitForCohort) as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for("assignments.index"))
    db.session.commit()
    return redirect(url_for("audits.tasks", audit_id=audit.id))


@bp.route("/<int:audit_id>/tasks")
@requires("audits.work")
def tasks(audit_id: int):
    audit = _editable(audit_id)
    if audit.status != "draft":
        return redirect(url_for("audits.view", audit_id=audit.id))
    _log(audit)
    return _logged(
        render_template("audits/tasks.html", **_context(audit), tasks=audit_form.tasks(audit))
    )


@bp.route("/<int:audit_id>/pages/<key>", methods=["GET", "POST"])
@requires("audits.work")
def page(audit_id: int, key: str):
    audit = _editable(audit_id)
    toolkit = audit_form.definition(audit)
    if key not in audit_pages.page_keys(toolkit):
        abort(404)
    if audit.status != "draft":
        return redirect(url_for("audits.view", audit_id=audit.id))
    if request.method == "GET":
        _log(audit)
        return _logged(_form_page(audit, key))
    drafted = audit_answers.normalise(audit.answers)["actions"]
    changes = audit_fields.page_changes(toolkit, key, request.form, drafted)
    try:
        audit_form.save_changes(
            audit, changes, expected_version=_expected_version(), by=current_user, now=utcnow()
        )
    except audit_form.StaleAudit as exc:
        db.session.rollback()
        return _conflict(audit, exc, changes)
    except audit_answers.InvalidAnswer as exc:
        db.session.rollback()
        return _logged(_form_page(audit, key, audit_pages.page_errors(exc.problems, drafted)), 400)
    db.session.commit()
    if request.form.get("then") == "tasks":
        flash(f"Saved at {to_local(audit.saved_at):%H:%M}.", "success")
        return redirect(url_for("audits.tasks", audit_id=audit.id))
    following = audit_pages.next_page_key(toolkit, key)
    if following is None:
        return redirect(url_for("audits.check", audit_id=audit.id))
    return redirect(url_for("audits.page", audit_id=audit.id, key=following))


def _form_page(audit, key: str, errors: dict | None = None):
    template, extra = audit_pages.form_page(audit, key)
    form_values = request.form if errors else None
    return render_template(
        template, **_context(audit, errors=errors, form_values=form_values), **extra
    )


def _conflict(audit, exc: audit_form.StaleAudit, changes: dict):
    rows = audit_pages.conflict_rows(exc.stored_answers, changes)
    fields = [
        (k, v) for k, v in request.form.items(multi=True) if k not in ("csrf_token", "version")
    ]
    return render_template(
        "audits/conflict.html", **_context(audit), rows=rows, fields=fields, stale=exc
    ), 409


@bp.route("/<int:audit_id>/autosave", methods=["POST"])
@requires("audits.work")
def autosave(audit_id: int):
    found = audit_form.audit_for_saving(current_user, audit_id)
    if found is None:
        abort(404)
    audit, toolkit = found
    name, value, version = _autosave_field()
    if name.startswith(audit_fields.NEW_ACTION) or version is None:
        return jsonify(errors={name: "This field is saved when you continue"}), 400
    changes = audit_fields.field_changes(name, value)
    try:
        audit_form.save_changes(
            audit, changes, expected_version=version, by=current_user, now=utcnow(), toolkit=toolkit
        )
    except audit_form.StaleAudit as exc:
        db.session.rollback()
        return _autosave_conflict(audit, exc, next(iter(changes), name), value)
    except audit_answers.InvalidAnswer as exc:
        db.session.rollback()
        return jsonify(errors=exc.problems), 400
    except audit_form.AuditError as exc:
        db.session.rollback()
        return jsonify(errors={name: str(exc)}), 409
    version, saved_at = audit.version, audit.saved_at  # read before commit expires them
    db.session.commit()
    return jsonify(version=version, saved_at=f"{to_local(saved_at):%H:%M}")


def _autosave_field() -> tuple[str, object, int | None]:
    """(field name, value, the version the page showed) from the autosave request's JSON.

    The autosave script sends one answer as JSON: no HTML form to model. Anything that is not
    {"field": str, "value": ..., "version": int} is refused by the caller; the value is checked
    by save_changes like a page submit's."""
    data = request.get_json(silent=True)
    data = data if isinstance(data, dict) else {}
    version = data.get("version")
    return (
        str(data.get("field", "")),
        data.get("value"),
        version if isinstance(version, int) else None,
    )


def _autosave_conflict(audit, exc: audit_form.StaleAudit, path: str, yours):
    """409 with both values, so the page can show what the other save wrote."""
    return jsonify(
        conflict=True,
        message=str(exc),
        stored_version=exc.stored_version,
        yours=yours,
        stored=audit_answers.value_at(exc.stored_answers, path),
        link=request.referrer or url_for("audits.tasks", audit_id=audit.id),
    ), 409


@bp.route("/<int:audit_id>/check")
@requires("audits.work")
def check(audit_id: int):
    audit = _editable(audit_id)
    if audit.status != "draft":
        return redirect(url_for("audits.view", audit_id=audit.id))
    _log(audit)
    return _logged(*_check_page(audit, 200))


def _check_page(audit, status: int, found=None):
    found = audit_form.problems(audit) if found is None else found
    links = [(p, *audit_form.problem_link(p)) for p in found]
    return render_template(
        "audits/check.html",
        **_context(audit),
        problems=links,
        suggestion=audit_pages.suggestion(audit),
    ), status


@bp.route("/<int:audit_id>/submit", methods=["POST"])
@requires("audits.work")
def submit(audit_id: int):
    audit = _editable(audit_id)
    try:
        audit_submission.submit_audit(
            audit,
            expected_version=_expected_version(),
            by=current_user,
            now=utcnow(),
            rng=random.Random(),
            rules=ModerationRules.from_config(current_app.config),
            base_url=current_app.config["BASE_URL"],
        )
    except audit_submission.NotReady as exc:
        db.session.rollback()
        return _check_page(audit, 400, exc.problems)
    except audit_form.StaleAudit as exc:
        db.session.rollback()
        return _conflict(audit, exc, {})
    except audit_form.AuditError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for("audits.view", audit_id=audit.id))
    db.session.commit()
    flash("Audit submitted. The social worker and team manager have been told.", "success")
    return redirect(url_for("audits.view", audit_id=audit.id))


@bp.route("/<int:audit_id>")
@requires("audits.view")
def view(audit_id: int):
    audit = audit_access.readable_audit(current_user, audit_id)
    if audit is None:
        abort(404)
    _log(audit)
    return _logged(render_template("audits/view.html", **_context(audit), **_record(audit)))


@bp.route("/<int:audit_id>/audit.pdf")
@requires("audits.view")
def pdf(audit_id: int):
    audit = audit_access.readable_audit(current_user, audit_id)
    if audit is None:
        abort(404)
    _log(audit, "download_audit")
    from qa_app.pdf import html_to_pdf  # noqa: PLC0415  (WeasyPrint is slow to import)

    html = render_template("audits/pdf.html", **_context(audit), **_record(audit))
    db.session.commit()
    return Response(
        html_to_pdf(html),
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="audit-{audit.id}.pdf"'},
    )


def _record(audit) -> dict:
    return audit_pages.record(audit, current_user, now=utcnow())


@bp.route("/<int:audit_id>/reflection", methods=["GET", "POST"])
@requires("audits.reflect")
def reflect(audit_id: int):
    audit = audit_access.readable_audit(current_user, audit_id)
    if audit is None or reflections.reflection_role(audit, current_user) is None:
        abort(404)
    error, form = None, ReflectionForm()
    if request.method == "POST":
        try:
            if not form.validate_on_submit():
                raise reflections.ReflectionError(first_error(form))
            reflections.record_reflection(
                audit,
                agreement=form.agreement.data,
                comments=form.comments.data,
                by=current_user,
                now=utcnow(),
            )
        except reflections.ReflectionError as exc:
            db.session.rollback()
            error = str(exc)
        else:
            db.session.commit()
            flash("Your reflection has been recorded.", "success")
            return redirect(url_for("audits.view", audit_id=audit.id))
    page = audit_pages.reflection_page(audit, current_user, now=utcnow())
    return _render(audit, "audits/reflection.html", error, entry=form, error=error, **page)


@bp.route("/<int:audit_id>/reopen", methods=["GET", "POST"])
@requires("audits.reopen")
def reopen(audit_id: int):
    audit = audit_form.get_audit(audit_id)
    if audit is None:
        abort(404)
    error, form = None, ReopenForm()
    if request.method == "POST":
        try:
            if not form.validate_on_submit():
                raise audit_form.AuditError(first_error(form))
            audit_submission.reopen_audit(
                audit, reason=form.reason.data, by=current_user, now=utcnow()
            )
        except audit_form.AuditError as exc:
            db.session.rollback()
            error = str(exc)
        else:
            db.session.commit()
            flash("The audit has been reopened for its auditor.", "success")
            return redirect(url_for("audits.view", audit_id=audit.id))
    return _render(audit, "audits/reopen.html", error, entry=form, error=error)


@bp.route("/<int:audit_id>/safeguarding", methods=["GET", "POST"])
@requires("audits.work")
def safeguarding_concern(audit_id: int):
    audit = _editable(audit_id)
    back = safe_next_url(
        request.values.get("next"), default=url_for("audits.tasks", audit_id=audit.id)
    )
    errors, form = {}, ConcernForm()
    if request.method == "POST":
        try:
            if not form.validate_on_submit():
                raise safeguarding.ConcernError(
                    {name: messages[0] for name, messages in form.errors.items()}
                )
            safeguarding.raise_concern(
                audit, what=form.what.data, why=form.why.data, by=current_user, now=utcnow(),
                base_url=current_app.config["BASE_URL"],
            )  # fmt: skip
        except safeguarding.ConcernError as exc:
            db.session.rollback()
            errors = exc.problems
        else:
            db.session.commit()
            flash(CONCERN_RAISED, "success")
            return redirect(back)
    return _render(audit, "audits/safeguarding.html", errors, errors=errors, entry=form, back=back)


@bp.route("/<int:audit_id>/concerns/<int:concern_id>")
@requires("audits.view")
def concern(audit_id: int, concern_id: int):
    found = safeguarding.get_concern(audit_id, concern_id)
    if found is None or not audit_access.can_read_concern(current_user, found.audit):
        abort(404)
    _log(found.audit, "view_safeguarding_concern")
    return _logged(render_template("audits/concern.html", **_context(found.audit), concern=found))


def _render(audit, template: str, refused, *, errors: dict | None = None, **extra):
    """An audit's page (400 when *refused* holds an error), its view written to the access log."""
    _log(audit)
    page = render_template(template, **_context(audit, errors=errors), **extra)
    return _logged(page, 400 if refused else 200)


def _context(audit, *, errors: dict | None = None, form_values=None) -> dict:
    return audit_pages.context(audit, current_user, errors=errors, form_values=form_values)
