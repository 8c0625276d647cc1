"""Sign-in plumbing and HTTP hardening: user loading, idle timeout, headers, safe redirects."""

import unicodedata
from datetime import UTC, datetime, timedelta
from urllib.parse import quote, urlsplit

from flask import Flask, current_app, flash, redirect, request, session, url_for
from flask_login import current_user, logout_user

from qa_app.extensions import db, login_manager
from qa_app.models import User
from qa_app.textnorm import is_digits

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
    "Cross-Origin-Opener-Policy": "same-origin",
}


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    """Load the user from the session cookie's ``id:token``; a rotated token signs them out."""
    ident, _, token = user_id.partition(":")
    if not is_digits(ident):
        return None
    user = db.session.get(User, int(ident))
    if user is None or not token or user.session_token != token or not user.is_active:
        return None
    return user


# Characters kept as they are in a path and query; anything else (non-ASCII) is percent-encoded
# so the Location header and the page carry only plain ASCII.
_URL_SAFE = "/?#[]@!$&'()*+,;=:%-._~"


def same_site_path(target: object) -> str | None:
    r"""*target* as a path on this site, or None when it could lead anywhere else.

    Refused: anything not starting with one ``/``; ``//host`` and ``/\host`` (browsers read a
    backslash as a slash); a scheme or host; control, format and whitespace characters (browsers
    drop tabs and newlines, so ``/<tab>/evil`` would become ``//evil``); over-long values.
    """
    if not isinstance(target, str) or not target.startswith("/") or len(target) > 2000:
        return None
    if "\\" in target or any(
        ch.isspace() or unicodedata.category(ch).startswith("C") for ch in target
    ):
        return None
    path = quote(target, safe=_URL_SAFE)
    if path.startswith("//"):
        return None
    parts = urlsplit(path)
    if parts.scheme or parts.netloc:
        return None
    return path


def safe_next_url(target: str | None, default: str | None = None) -> str:
    """Where to go after a form or sign-in: *target* if it is a path on this site, otherwise
    *default* (the home page when not given). The one helper for every ``next`` parameter."""
    return same_site_path(target) or default or url_for("main.home")


def _enforce_idle_timeout():
    if not current_user.is_authenticated:
        return None
    minutes = current_app.config["IDLE_TIMEOUT_MINUTES"]
    limit = timedelta(minutes=minutes)
    now = datetime.now(UTC)
    last_seen = session.get("last_seen")
    if last_seen is not None and now - datetime.fromtimestamp(last_seen, UTC) > limit:
        logout_user()
        session.clear()
        flash(
            f"You were signed out after {minutes} minutes without activity. Sign in again.", "info"
        )
        return redirect(url_for("auth.sign_in", next=request.full_path.rstrip("?")))
    # Background autosave and polling must not keep an unattended session alive.
    if not request.headers.get("X-Background-Request"):
        session["last_seen"] = now.timestamp()
    session.permanent = True
    return None


def _require_password_change():
    """Someone signed in with a temporary password must replace it before anything else."""
    exempt = ("auth.change_password", "auth.sign_out", "static")
    if (
        current_user.is_authenticated
        and current_user.must_change_password
        and request.endpoint not in exempt
    ):
        return redirect(url_for("auth.change_password"))
    return None


def _set_headers(response):
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    if request.endpoint != "static":
        # Pages show sensitive case data: never keep them in a shared or browser cache.
        response.headers["Cache-Control"] = "no-store"
    if request.is_secure:
        response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    return response


def register_security(app: Flask) -> None:
    login_manager.login_view = "auth.sign_in"
    login_manager.login_message = "Sign in to use Casefile QA."
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"
    app.before_request(_enforce_idle_timeout)
    app.before_request(_require_password_change)
    app.after_request(_set_headers)
