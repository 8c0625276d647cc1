"""Managing staff: list, add, edit, unlock, temporary passwords, CSV import (qa_admin only)."""

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from qa_app.clock import local_today, utcnow
from qa_app.extensions import db
from qa_app.forms import choices
from qa_app.forms.users import StaffImportForm, TemporaryPasswordForm, UserForm, UserSearchForm
from qa_app.models import Locality, Team, User
from qa_app.permissions import requires
from qa_app.services.imports import staff as staff_import
from qa_app.services.people import accounts, staff
from qa_app.textnorm import is_digits

bp = Blueprint("users", __name__, url_prefix="/users")


@bp.route("/")
@requires("users.manage")
def index():
    form = UserSearchForm(request.args)
    page_arg = request.args.get("page", "1")
    page = staff.search_users(
        q=(form.q.data or "").strip(),
        role=form.role.data or "",
        status=form.status.data or "",
        page=int(page_arg) if is_digits(page_arg) else 1,
        now=utcnow(),
    )
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template("users/index.html", form=form, page=page, args=args, now=utcnow())


def _user_form(user: User | None = None) -> UserForm:
    form = UserForm(obj=None)
    form.team_id.choices = choices(staff.team_choices())
    form.locality_id.choices = choices(staff.locality_choices())
    if user is not None and request.method == "GET":
        form.name.data = user.name
        form.email.data = user.email
        form.roles.data = sorted(user.roles)
        form.team_id.data = str(user.team_id or "")
        form.locality_id.data = str(user.locality_id or "")
        form.line_manager_email.data = user.line_manager.email if user.line_manager else ""
        form.capacity.data = user.capacity
        form.qualified_on.data = user.qualified_on
        form.active.data = user.active
    return form


def _details(form: UserForm) -> accounts.StaffDetails:
    manager = None
    if form.line_manager_email.data:
        manager = accounts.find_user_by_email(form.line_manager_email.data)
        if manager is None:
            raise accounts.AccountError(
                "There is no member of staff with the line manager's email address"
            )
    return accounts.StaffDetails(
        name=form.name.data,
        email=form.email.data,
        roles=form.roles.data,
        team=db.session.get(Team, int(form.team_id.data)) if form.team_id.data else None,
        locality=db.session.get(Locality, int(form.locality_id.data))
        if form.locality_id.data
        else None,
        line_manager=manager,
        capacity=form.capacity.data,
        active=form.active.data,
        qualified_on=form.qualified_on.data,
    )


def _field_for(form: UserForm, message: str):
    if "line manager" in message:
        return form.line_manager_email
    if "email" in message:
        return form.email
    if "capacity" in message:
        return form.capacity
    return form.roles


@bp.route("/new", methods=["GET", "POST"])
@requires("users.manage")
def new():
    form = _user_form()
    if form.validate_on_submit():
        try:
            user = accounts.create_user(_details(form))
        except accounts.AccountError as exc:
            _field_for(form, str(exc)).errors.append(str(exc))
        else:
            db.session.commit()
            flash(
                f"{user.name} has been added. Set a temporary password so they can sign in.",
                "success",
            )
            return redirect(url_for("users.edit", user_id=user.id))
    return render_template("users/form.html", form=form, user=None)


@bp.route("/<int:user_id>", methods=["GET", "POST"])
@requires("users.manage")
def edit(user_id: int):
    user = db.session.get(User, user_id) or abort(404)
    form = _user_form(user)
    if form.validate_on_submit():
        try:
            accounts.update_user(user, _details(form))
        except accounts.AccountError as exc:
            db.session.rollback()
            _field_for(form, str(exc)).errors.append(str(exc))
        else:
            db.session.commit()
            flash(f"Changes to {user.name} have been saved.", "success")
            return redirect(url_for("users.edit", user_id=user.id))
    return render_template(
        "users/form.html", form=form, user=user, password_form=TemporaryPasswordForm(), now=utcnow()
    )


@bp.route("/<int:user_id>/unlock", methods=["POST"])
@requires("users.manage")
def unlock(user_id: int):
    user = db.session.get(User, user_id) or abort(404)
    accounts.unlock(user)
    db.session.commit()
    flash(f"{user.name}'s account has been unlocked.", "success")
    return redirect(url_for("users.edit", user_id=user.id))


@bp.route("/<int:user_id>/password", methods=["POST"])
@requires("users.manage")
def temporary_password(user_id: int):
    user = db.session.get(User, user_id) or abort(404)
    form = TemporaryPasswordForm()
    if form.validate_on_submit():
        try:
            accounts.set_password(
                user,
                form.password.data,
                min_length=current_app.config["PASSWORD_MIN_LENGTH"],
                temporary=True,
            )
        except accounts.AccountError as exc:
            form.password.errors.append(str(exc))
        else:
            db.session.commit()
            current_app.logger.info("temporary-password user=%s by=%s", user.id, current_user.id)
            flash(f"A temporary password has been set for {user.name}.", "success")
            return redirect(url_for("users.edit", user_id=user.id))
    user_form = _user_form(user)
    return render_template(
        "users/form.html", form=user_form, user=user, password_form=form, now=utcnow()
    ), 400


@bp.route("/import", methods=["GET", "POST"])
@requires("users.manage")
def import_staff():
    form = StaffImportForm()
    summary = None
    if form.validate_on_submit():
        upload = form.file.data
        try:
            summary = staff_import.import_staff(
                upload.read(), upload.filename or "staff.csv", today=local_today()
            )
        except staff_import.StaffFileError as exc:
            db.session.rollback()
            form.file.errors.append(str(exc))
        else:
            db.session.commit()
            flash(
                f"{summary.created} added and {summary.updated} updated; "
                f"{summary.rejected_rows} rows rejected.",
                "success",
            )
    return render_template("users/import.html", form=form, summary=summary)
