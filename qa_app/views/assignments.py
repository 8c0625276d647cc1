"""My audits (auditors) and extension requests (auditors ask; line managers and the PSW decide)."""

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_login import current_user

from qa_app.clock import local_today, utcnow
from qa_app.extensions import db
from qa_app.forms.sampling import DecisionForm, ExtensionForm
from qa_app.models import Assignment, ExtensionRequest
from qa_app.permissions import requires
from qa_app.services.audits import due
from qa_app.services.audits import form as audit_form
from qa_app.services.sampling import extension_requests as extensions
from qa_app.views import shown

bp = Blueprint("assignments", __name__, url_prefix="/assignments")


@bp.route("/")
@requires("assignments.mine")
def index():
    mine = due.my_audits(current_user, today=local_today())
    html = render_template(
        "assignments/index.html",
        mine=mine,
        audits=audit_form.audits_for_assignments([m.assignment for m in mine]),
    )
    shown.cases_shown((m.assignment.item.case_id for m in mine), "list_assignments")
    return html


@bp.route("/<int:assignment_id>/extension", methods=["GET", "POST"])
@requires("assignments.mine")
def extension(assignment_id: int):
    assignment = db.session.get(Assignment, assignment_id)
    if assignment is None or assignment.auditor_id != current_user.id:
        abort(404)
    form = ExtensionForm()
    if form.validate_on_submit():
        try:
            extensions.request_extension(
                assignment,
                by=current_user,
                working_days=form.working_days.data,
                reason=form.reason.data,
                now=utcnow(),
                base_url=current_app.config["BASE_URL"],
            )
        except extensions.ExtensionError as exc:
            db.session.rollback()
            form.working_days.errors.append(str(exc))
        else:
            db.session.commit()
            flash("Your request has been sent for a decision.", "success")
            return redirect(url_for("assignments.index"))
    html = render_template("assignments/extension.html", assignment=assignment, form=form)
    shown.case_opened(assignment.item.case, "view_assignment")
    return html, 400 if form.errors else 200


@bp.route("/extensions")
@requires("extensions.decide")
def extensions_index():
    waiting = extensions.waiting_for(current_user)
    html = render_template(
        "assignments/extensions.html", requests=waiting, form=None, decision_form=DecisionForm()
    )
    shown.cases_shown((r.assignment.item.case_id for r in waiting), "list_extension_requests")
    return html


@bp.route("/extensions/<int:request_id>", methods=["POST"])
@requires("extensions.decide")
def decide(request_id: int):
    extension_request = db.session.get(ExtensionRequest, request_id)
    if extension_request is None or not extensions.can_decide(current_user, extension_request):
        abort(404)
    form = DecisionForm()
    if form.validate_on_submit():
        try:
            extensions.decide_extension(
                extension_request,
                by=current_user,
                approve=form.decision.data == "approve",
                note=form.note.data,
                now=utcnow(),
                base_url=current_app.config["BASE_URL"],
            )
        except extensions.ExtensionError as exc:
            db.session.rollback()
            flash(str(exc), "error")
        else:
            db.session.commit()
            flash("Your decision has been recorded and the auditor told.", "success")
        return redirect(url_for("assignments.extensions_index"))
    flash("Choose approve or refuse.", "error")
    return redirect(url_for("assignments.extensions_index"))
