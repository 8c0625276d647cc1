"""Moderation pages: the moderator's queue, the blind moderation screen, the result (and
dispute), the head of service's decision, and qa_admin's list."""

import random

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from qa_app.clock import local_today, utcnow
from qa_app.extensions import db
from qa_app.forms import first_error
from qa_app.forms.moderation import (
    AddForModerationForm,
    DecideDisputeForm,
    DisputeForm,
    ReassignModeratorForm,
)
from qa_app.models import Audit, Dispute, Moderation, User
from qa_app.models.vocab import GRADES
from qa_app.permissions import requires
from qa_app.services.moderation import decisions as service
from qa_app.services.moderation import selection
from qa_app.services.moderation.rules import ModerationRules
from qa_app.services.people.access_log import log_case_access
from qa_app.views import shown

bp = Blueprint("moderation", __name__, url_prefix="/moderation")


def _rules() -> ModerationRules:
    return ModerationRules.from_config(current_app.config)


def _base_url() -> str:
    return current_app.config["BASE_URL"]


def _mine(moderation_id: int) -> Moderation:
    moderation = db.session.get(Moderation, moderation_id)
    if moderation is None or moderation.moderator_id != current_user.id:
        abort(404)
    return moderation


@bp.route("/")
@requires("moderation.moderate")
def queue():
    moderations = service.queue_for(current_user)
    html = render_template("moderation/queue.html", moderations=moderations, grades=GRADES)
    shown.cases_shown((m.audit.case_id for m in moderations), "list_moderations")
    return html


@bp.route("/<int:moderation_id>")
@requires("moderation.moderate")
def moderate(moderation_id: int):
    moderation = _mine(moderation_id)
    if moderation.status == "completed":
        return redirect(url_for("moderation.result", moderation_id=moderation.id))
    log_case_access(
        current_user,
        moderation.audit.case,
        action="moderate",
        now=utcnow(),
        endpoint=request.endpoint,
    )
    db.session.commit()
    return _screen(moderation)


def _screen(moderation: Moderation, error: str | None = None, status: int = 200):
    # Before the blind grades are in, nothing of the auditor's is passed to the template.
    context = {
        "moderation": moderation,
        "sections": service.sections_of(moderation),
        "grades": GRADES,
        "error": error,
        "values": request.form if request.method == "POST" else {},
    }
    if moderation.blind_done:
        context["auditor"] = service.auditor_grades(moderation)
        context["audit"] = moderation.audit
        context["blind"] = {row.section_key: row.blind_grade for row in moderation.sections}
        template = "moderation/compare.html"
    else:
        template = "moderation/blind.html"
    return render_template(template, **context), status


@bp.route("/<int:moderation_id>/blind", methods=["POST"])
@requires("moderation.moderate")
def blind(moderation_id: int):
    moderation = _mine(moderation_id)
    # Raw fields, not WTForms: one per section of the audit's toolkit version; the service
    # checks each grade and the rationale and says which is wrong.
    form = request.form
    try:
        service.record_blind_grades(
            moderation,
            sections={s.key: form.get(f"section-{s.key}") for s in service.sections_of(moderation)},
            overall=form.get("overall"),
            rationale=form.get("rationale", ""),
            by=current_user,
            now=utcnow(),
        )
    except selection.ModerationError as exc:
        db.session.rollback()
        return _screen(db.session.get(Moderation, moderation_id), str(exc), 400)
    db.session.commit()
    flash("Your grades are recorded. Now compare them with the auditor's.", "success")
    return redirect(url_for("moderation.moderate", moderation_id=moderation.id))


@bp.route("/<int:moderation_id>/final", methods=["POST"])
@requires("moderation.moderate")
def final(moderation_id: int):
    moderation = _mine(moderation_id)
    form = request.form
    keys = [s.key for s in service.sections_of(moderation)] + ["overall"]
    try:
        service.record_moderated_grades(
            moderation,
            grades={key: form.get(f"final-{key}") for key in keys},
            reasons={key: form.get(f"reason-{key}", "") for key in keys},
            by=current_user,
            now=utcnow(),
            rules=_rules(),
            base_url=_base_url(),
        )
    except selection.ModerationError as exc:
        db.session.rollback()
        return _screen(db.session.get(Moderation, moderation_id), str(exc), 400)
    db.session.commit()
    flash("The moderated grades are recorded and the auditor has been told.", "success")
    return redirect(url_for("moderation.queue"))


@bp.route("/<int:moderation_id>/result")
@requires("moderation.result")
def result(moderation_id: int):
    moderation = db.session.get(Moderation, moderation_id)
    if moderation is None or not service.may_see_result(moderation, current_user):
        abort(404)
    if moderation.status != "completed":
        # Not even the auditor sees a half-done moderation, so nothing leaks to the moderator.
        abort(404)
    rules = _rules()
    deadline = service.dispute_deadline(moderation, rules)
    can_dispute = service.may_dispute(moderation, current_user, today=local_today(), rules=rules)
    html = render_template(
        "moderation/result.html",
        moderation=moderation,
        audit=moderation.audit,
        auditor=service.auditor_grades(moderation),
        sections=service.sections_of(moderation),
        grades=GRADES,
        deadline=deadline,
        can_dispute=can_dispute,
        error=None,
    )
    shown.case_opened(moderation.audit.case, "view_moderation_result")
    return html


@bp.route("/<int:moderation_id>/dispute", methods=["POST"])
@requires("moderation.dispute")
def dispute(moderation_id: int):
    moderation = db.session.get(Moderation, moderation_id)
    if moderation is None or moderation.audit.auditor_id != current_user.id:
        abort(404)
    form = DisputeForm()
    try:
        if not form.validate_on_submit():
            raise selection.ModerationError(first_error(form))
        service.raise_dispute(
            moderation,
            reason=form.reason.data,
            by=current_user,
            now=utcnow(),
            rules=_rules(),
            base_url=_base_url(),
        )
    except selection.ModerationError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for("moderation.result", moderation_id=moderation_id))
    db.session.commit()
    flash("Your dispute has been sent to the head of service.", "success")
    return redirect(url_for("moderation.result", moderation_id=moderation_id))


def _decidable(dispute_id: int) -> Dispute:
    dispute_row = db.session.get(Dispute, dispute_id)
    if dispute_row is None or dispute_row.decider_id != current_user.id:
        abort(404)
    return dispute_row


@bp.route("/disputes/<int:dispute_id>", methods=["GET", "POST"])
@requires("moderation.decide")
def decide(dispute_id: int):
    dispute_row = _decidable(dispute_id)
    error = None
    form = DecideDisputeForm()
    if request.method == "POST":
        try:
            if not form.validate_on_submit():
                raise selection.ModerationError(first_error(form))
            service.decide_dispute(
                dispute_row,
                upheld=form.decision.data == "uphold",
                grade=form.grade.data,
                note=form.note.data,
                by=current_user,
                now=utcnow(),
                rules=_rules(),
                base_url=_base_url(),
            )
        except selection.ModerationError as exc:
            db.session.rollback()
            error = str(exc)
            dispute_row = _decidable(dispute_id)
        else:
            db.session.commit()
            flash("Your decision is recorded.", "success")
            return redirect(url_for("moderation.disputes"))
    html = render_template(
        "moderation/decide.html", **service.dispute_page(dispute_row), error=error
    )
    shown.case_opened(dispute_row.moderation.audit.case, "view_dispute")
    return html, 400 if error else 200


@bp.route("/disputes")
@requires("moderation.decide")
def disputes():
    return render_template("moderation/disputes.html", disputes=service.disputes_for(current_user))


@bp.route("/all", methods=["GET", "POST"])
@requires("moderation.manage")
def manage():
    error = None
    form = AddForModerationForm()
    if request.method == "POST":
        try:
            if not form.validate_on_submit():
                raise selection.ModerationError(first_error(form))
            audit = db.session.get(Audit, form.audit_id.data)
            if audit is None:
                raise selection.ModerationError(f"There is no audit {form.audit_id.data}")
            moderation = selection.add_for_moderation(
                audit,
                by=current_user,
                now=utcnow(),
                rng=random.SystemRandom(),
                rules=_rules(),
                base_url=_base_url(),
            )
        except selection.ModerationError as exc:
            db.session.rollback()
            error = str(exc)
        else:
            db.session.commit()
            flash(f"Audit {audit.id} added for moderation.", "success")
            return redirect(url_for("moderation.manage", _anchor=f"moderation-{moderation.id}"))
    return render_template(
        "moderation/manage.html",
        moderations=selection.open_moderations(),
        moderators=selection.moderators(),
        error=error,
    ), 400 if error else 200


@bp.route("/<int:moderation_id>/reassign", methods=["POST"])
@requires("moderation.manage")
def reassign(moderation_id: int):
    moderation = db.session.get(Moderation, moderation_id) or abort(404)
    form = ReassignModeratorForm()
    moderator = db.session.get(User, form.moderator_id.data) if form.validate_on_submit() else None
    try:
        if moderator is None:
            raise selection.ModerationError(first_error(form) or "Choose a moderator")
        selection.reassign(
            moderation, moderator, by=current_user, now=utcnow(), base_url=_base_url()
        )
    except selection.ModerationError as exc:
        db.session.rollback()
        flash(f"Moderation of audit {moderation.audit_id}: {exc}", "error")
    else:
        db.session.commit()
        flash(f"Audit {moderation.audit_id} given to {moderator.name}.", "success")
    return redirect(url_for("moderation.manage"))
