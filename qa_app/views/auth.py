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

from qa_app import throttle
from qa_app.extensions import db
from qa_app.forms.auth import ChangePasswordForm, SignInForm
from qa_app.models import utcnow
from qa_app.permissions import public, requires
from qa_app.security import safe_next_url
from qa_app.services.people import accounts

bp = Blueprint("auth", __name__, url_prefix="/auth")


# One message for an unknown email, a wrong password and a locked account, so the page tells
# nobody which addresses have accounts or which accounts are locked (the owner of a locked
# account is told by a notification and an email).
SIGN_IN_REFUSED = (
    "Enter a correct email address and password. If you still cannot sign in, your account may "
    "be locked for a few minutes after too many wrong passwords: wait, or ask the QA team."
)


@bp.route("/sign-in", methods=["GET", "POST"])
@public
def sign_in():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = SignInForm()
    if not form.validate_on_submit():
        return render_template("auth/sign_in.html", form=form)
    config, now = current_app.config, utcnow()
    limit = throttle.AddressLimit.from_config(config)
    if throttle.is_throttled(request.remote_addr, now=now, limit=limit):
        return _too_many_attempts(form, limit)
    result = accounts.authenticate(
        form.email.data,
        form.password.data,
        now=now,
        max_failures=config["LOGIN_MAX_FAILURES"],
        lockout=timedelta(minutes=config["LOGIN_LOCKOUT_MINUTES"]),
        base_url=config["BASE_URL"],
    )
    db.session.commit()
    if result.user is None:
        throttle.record_failure(request.remote_addr, now=now, limit=limit)
        form.email.errors.append(SIGN_IN_REFUSED)
        return render_template("auth/sign_in.html", form=form)
    session.clear()
    login_user(result.user)
    current_app.logger.info("sign-in user=%s", result.user.id)
    if result.user.must_change_password:
        flash("Choose a new password to replace the temporary one.", "info")
        return redirect(url_for("auth.change_password"))
    return redirect(safe_next_url(request.args.get("next")))


def _too_many_attempts(form: SignInForm, limit: throttle.AddressLimit):
    """429: this address has had too many failed sign-ins; no account is tried or counted."""
    minutes = limit.window_seconds // 60
    form.email.errors.append(
        f"There have been too many failed sign-ins from your network. Wait {minutes} minutes "
        "and try again, or ask the QA team for help."
    )
    current_app.logger.warning("sign-in throttled for an address")
    page = render_template("auth/sign_in.html", form=form)
    return page, 429, {"Retry-After": str(limit.window_seconds)}


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
