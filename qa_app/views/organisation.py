"""Localities and teams (qa_admin)."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from qa_app.clock import local_today
from qa_app.extensions import db
from qa_app.forms import choices
from qa_app.forms.organisation import TeamForm
from qa_app.models import Locality, Team
from qa_app.permissions import requires
from qa_app.services.people import organisation, staff

bp = Blueprint("organisation", __name__, url_prefix="/organisation")


@bp.route("/")
@requires("organisation.manage")
def index():
    return render_template(
        "organisation/index.html", groups=organisation.teams_by_locality(local_today())
    )


@bp.route("/teams/<int:team_id>", methods=["GET", "POST"])
@requires("organisation.manage")
def team(team_id: int):
    team = db.session.get(Team, team_id) or abort(404)
    form = TeamForm()
    form.locality_id.choices = choices(staff.locality_choices())
    if request.method == "GET":
        form.name.data = team.name
        form.locality_id.data = str(team.locality_id or "")
        form.service.data = team.service or ""
        form.active.data = team.active
    if form.validate_on_submit():
        locality = (
            db.session.get(Locality, int(form.locality_id.data)) if form.locality_id.data else None
        )
        try:
            organisation.update_team(
                team,
                name=form.name.data,
                locality=locality,
                service=form.service.data,
                active=form.active.data,
            )
        except organisation.OrganisationError as exc:
            db.session.rollback()
            form.name.errors.append(str(exc))
        else:
            db.session.commit()
            flash(f"{team.name} has been saved.", "success")
            return redirect(url_for("organisation.index"))
    return render_template("organisation/team.html", form=form, team=team)
