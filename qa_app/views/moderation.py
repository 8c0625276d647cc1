"""Moderation pages: the moderator's queue, the blind moderation screen, the result (and
dispute), the head of service's decision, and qa_admin's list."""

import random

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from qa_app.clock import local_today, utcnow
from qa_app.extensions import db
from qa_app.models import Audit, Dispute, Moderation, User
from qa_app.models.vocab import GRADES
from qa_app.permissions import requires
from qa_app.services.moderation import decisions as service
from qa_app.services.moderation import selection
from qa_app.services.moderation.rules import ModerationRules
from qa_app.services.people.access_log import log_case_access

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
    return render_template(
        "moderation/queue.html", moderations=service.queue_for(current_user), grades=GRADES
    )


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
    return render_template(
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


@bp.route("/<int:moderation_id>/dispute", methods=["POST"])
@requires("moderation.dispute")
def dispute(moderation_id: int):
    moderation = db.session.get(Moderation, moderation_id)
    if moderation is None or moderation.audit.auditor_id != current_user.id:
        abort(404)
    try:
        service.raise_dispute(
            moderation,
            reason=request.form.get("reason", ""),
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
    if request.method == "POST":
        decision = request.form.get("decision")
        try:
            if decision not in ("uphold", "reject"):
                raise selection.ModerationError("Choose whether to uphold or reject the dispute")
            service.decide_dispute(
                dispute_row,
                upheld=decision == "uphold",
                grade=request.form.get("grade"),
                note=request.form.get("note", ""),
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
    return render_template(
        "moderation/decide.html", **service.dispute_page(dispute_row), error=error
    ), 400 if error else 200


@bp.route("/disputes")
@requires("moderation.decide")
def disputes():
    return render_template("moderation/disputes.html", disputes=service.disputes_for(current_user))


@bp.route("/all", methods=["GET", "POST"])
@requires("moderation.manage")
def manage():
    error = None
    if request.method == "POST":
        raw = request.form.get("audit_id", "").strip()
        audit = db.session.get(Audit, int(raw)) if raw.isdigit() else None
        try:
            if audit is None:
                raise selection.ModerationError(f"There is no audit {raw or '(blank)'}")
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
    raw = request.form.get("moderator_id", "")
    moderator = db.session.get(User, int(raw)) if raw.isdigit() else None
    try:
        if moderator is None:
            raise selection.ModerationError("Choose a moderator")
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
