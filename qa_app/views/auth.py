"""Signing in and out, and changing one's own password."""

from datetime import timedelta

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_user, logout_user

from qa_app.extensions import db
from qa_app.forms.auth import ChangePasswordForm, SignInForm
from qa_app.models import utcnow
from qa_app.permissions import public, requires
from qa_app.security import safe_next_url
from qa_app.services.people import accounts
from qa_app.templating import uk_datetime

bp = Blueprint("auth", __name__, url_prefix="/auth")


@bp.route("/sign-in", methods=["GET", "POST"])
@public
def sign_in():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = SignInForm()
    if form.validate_on_submit():
        config = current_app.config
        result = accounts.authenticate(
            form.email.data,
            form.password.data,
            now=utcnow(),
            max_failures=config["LOGIN_MAX_FAILURES"],
            lockout=timedelta(minutes=config["LOGIN_LOCKOUT_MINUTES"]),
        )
        db.session.commit()
        if result.user is not None:
            session.clear()
            login_user(result.user)
            current_app.logger.info("sign-in user=%s", result.user.id)
            if result.user.must_change_password:
                flash("Choose a new password to replace the temporary one.", "info")
                return redirect(url_for("auth.change_password"))
            return redirect(safe_next_url(request.args.get("next")))
        if result.locked_until is not None:
            form.email.errors.append(
                "This account is locked after too many wrong passwords. Try again after "
                f"{uk_datetime(result.locked_until)}, or ask the QA team to unlock it."
            )
        else:
            form.email.errors.append("Enter a correct email address and password")
    return render_template("auth/sign_in.html", form=form)


@bp.route("/sign-out", methods=["POST"])
@requires("home")
def sign_out():
    logout_user()
    session.clear()
    flash("You have signed out.", "success")
    return redirect(url_for("auth.sign_in"))


@bp.route("/password", methods=["GET", "POST"])
@requires("account")
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            accounts.change_own_password(
                current_user,
                form.current_password.data,
                form.new_password.data,
                min_length=current_app.config["PASSWORD_MIN_LENGTH"],
            )
        except accounts.AccountError as exc:
            field = form.current_password if "current" in str(exc) else form.new_password
            field.errors.append(str(exc))
        else:
            db.session.commit()
            login_user(
                current_user._get_current_object()
            )  # the session token changed: keep this session signed in
            flash("Your password has been changed. Other sessions have been signed out.", "success")
            return redirect(url_for("main.home"))
    return render_template("auth/change_password.html", form=form)
