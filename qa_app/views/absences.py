"""Absences and exemptions: the QA lead records them, the DCS approves exemptions."""

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user

from qa_app.clock import local_today
from qa_app.extensions import db
from qa_app.forms import choices
from qa_app.forms.absences import AbsenceForm
from qa_app.models import Absence
from qa_app.permissions import can, requires
from qa_app.services.sampling import absences

bp = Blueprint("absences", __name__, url_prefix="/absences")


def _form() -> AbsenceForm:
    form = AbsenceForm()
    form.user_id.choices = choices(
        [("", "Choose a member of staff"), *((u.id, u.name) for u in absences.pool())]
    )
    return form


def _page(form: AbsenceForm | None, status: int = 200):
    return render_template(
        "absences/index.html",
        periods=absences.current_and_future(local_today()),
        form=form,
        can_manage=can(current_user, "absences.manage"),
        can_approve=absences.may_approve(current_user),
    ), status


@bp.route("/")
@requires("absences.view")
def index():
    return _page(_form() if can(current_user, "absences.manage") else None)


@bp.route("/new", methods=["POST"])
@requires("absences.manage")
def add():
    form = _form()
    if form.validate_on_submit():
        period = absences.Period(
            user_id=form.user_id.data,
            starts_on=form.starts_on.data,
            ends_on=form.ends_on.data,
            kind=form.kind.data,
            reason=form.reason.data or "",
        )
        try:
            absence = absences.record(period, by=current_user)
        except absences.AbsenceError as exc:
            db.session.rollback()
            getattr(form, exc.field).errors.append(str(exc))
        else:
            db.session.commit()
            pending = absence.kind == "exemption" and absence.approved_by_id is None
            flash(
                "Recorded. The exemption counts once the DCS approves it."
                if pending
                else "Recorded. Allocation will take it into account.",
                "success",
            )
            return redirect(url_for("absences.index"))
    return _page(form, 400)


@bp.route("/<int:absence_id>/approve", methods=["POST"])
@requires("absences.approve")
def approve(absence_id: int):
    absence = db.session.get(Absence, absence_id) or abort(404)
    try:
        absences.approve(absence, by=current_user)
    except absences.AbsenceError as exc:
        db.session.rollback()
        flash(str(exc), "error")
    else:
        db.session.commit()
        flash(f"Exemption for {absence.user.name} approved.", "success")
    return redirect(url_for("absences.index"))


@bp.route("/<int:absence_id>/remove", methods=["POST"])
@requires("absences.manage")
def remove(absence_id: int):
    absence = db.session.get(Absence, absence_id) or abort(404)
    name = absence.user.name
    absences.remove(absence)
    db.session.commit()
    flash(f"The period for {name} has been removed.", "success")
    return redirect(url_for("absences.index"))
