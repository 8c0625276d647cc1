"""Signing in and out: lockout, idle timeout, safe redirects, CSRF and security headers."""

import re
import time
from datetime import timedelta

import pytest

from qa_app.extensions import db
from qa_app.models import User, utcnow
from tests.support.factories import TEST_PASSWORD, make_user


def sign_in(client, email, password=TEST_PASSWORD, next_url=None):
    url = "/auth/sign-in" + (f"?next={next_url}" if next_url else "")
    return client.post(url, data={"email": email, "password": password})


def test_correct_password_signs_in_and_goes_home(client, app_ctx):
    user = make_user("team_manager")
    response = sign_in(client, user.email)
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert b"Hello," in client.get("/").data


def test_email_is_matched_without_regard_to_case_or_spaces(client, app_ctx):
    user = make_user("psw", email="pat.smith@council.test")
    assert sign_in(client, "  Pat.Smith@Council.TEST ").status_code == 302
    assert db.session.get(User, user.id).last_login_at is not None


def test_wrong_password_shows_one_message_for_unknown_and_known_accounts(client, app_ctx):
    user = make_user("psw")
    wrong = sign_in(client, user.email, "not the password")
    unknown = sign_in(client, "nobody@council.test", "not the password")
    for response in (wrong, unknown):
        assert response.status_code == 200
        assert b"Enter a correct email address and password" in response.data
        assert b"There is a problem" in response.data


def test_five_failures_lock_the_account_even_with_the_right_password(client, app_ctx):
    user = make_user("psw")
    for _ in range(5):
        sign_in(client, user.email, "wrong password!")
    locked = sign_in(client, user.email)
    assert locked.status_code == 200
    assert client.get("/").status_code == 302  # not signed in
    db.session.expire_all()
    stored = db.session.get(User, user.id)
    # The lock is in the database row, so every web process honours it.
    assert stored.locked_until is not None
    assert timedelta(minutes=14) < stored.locked_until - utcnow() <= timedelta(minutes=15)


def test_four_failures_then_success_resets_the_count(client, app_ctx):
    user = make_user("psw")
    for _ in range(4):
        sign_in(client, user.email, "wrong password!")
    assert sign_in(client, user.email).status_code == 302
    client.post("/auth/sign-out")
    for _ in range(4):
        sign_in(client, user.email, "wrong password!")
    assert sign_in(client, user.email).status_code == 302


def test_lock_expires_after_fifteen_minutes(client, app_ctx):
    user = make_user("psw")
    user.locked_until = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert sign_in(client, user.email).status_code == 302


def test_inactive_and_pending_staff_cannot_sign_in(client, app_ctx):
    inactive = make_user("psw", active=False)
    pending = make_user("social_worker", pending=True)
    assert sign_in(client, inactive.email).status_code == 200
    assert sign_in(client, pending.email).status_code == 200


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/cases/", "/cases/"),
        ("https://evil.example/", "/"),
        ("//evil.example/x", "/"),
        ("/\\evil.example", "/"),
        ("javascript:alert(1)", "/"),
    ],
)
def test_next_redirects_stay_on_this_site(client, app_ctx, target, expected):
    user = make_user("psw")
    response = sign_in(client, user.email, next_url=target)
    assert response.headers["Location"] == expected


def test_pages_need_sign_in(client):
    response = client.get("/cases/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/auth/sign-in?next=")


def test_sign_out_is_post_only_and_ends_the_session(client, auth, app_ctx):
    auth.login(make_user("psw"))
    assert client.get("/auth/sign-out").status_code == 405
    assert client.post("/auth/sign-out").status_code == 302
    assert client.get("/").status_code == 302


def test_idle_session_is_signed_out_after_thirty_minutes(client, app_ctx):
    user = make_user("psw")
    sign_in(client, user.email)
    with client.session_transaction() as session:
        session["last_seen"] = time.time() - 31 * 60
    response = client.get("/cases/")
    assert response.status_code == 302
    assert "/auth/sign-in" in response.headers["Location"]
    assert client.get("/").status_code == 302


def test_active_session_is_kept(client, app_ctx):
    user = make_user("psw")
    sign_in(client, user.email)
    with client.session_transaction() as session:
        session["last_seen"] = time.time() - 29 * 60
    assert client.get("/").status_code == 200


def test_changing_password_signs_out_other_sessions(app, app_ctx):
    user = make_user("psw")
    first, second = app.test_client(), app.test_client()
    sign_in(first, user.email)
    sign_in(second, user.email)
    response = first.post(
        "/auth/password",
        data={
            "current_password": TEST_PASSWORD,
            "new_password": "a much longer new passphrase",
            "confirm_password": "a much longer new passphrase",
        },
    )
    assert response.status_code == 302
    assert first.get("/").status_code == 200
    assert second.get("/").status_code == 302


def test_short_new_password_is_refused_with_a_message(client, app_ctx):
    user = make_user("psw")
    sign_in(client, user.email)
    response = client.post(
        "/auth/password",
        data={
            "current_password": TEST_PASSWORD,
            "new_password": "short",
            "confirm_password": "short",
        },
    )
    assert response.status_code == 200
    assert b"Password must be at least" in response.data


def test_temporary_password_must_be_changed_before_anything_else(client, app_ctx):
    user = make_user("psw", must_change_password=True)
    response = sign_in(client, user.email)
    assert response.headers["Location"] == "/auth/password"
    assert client.get("/cases/").headers["Location"] == "/auth/password"


@pytest.mark.app_config(WTF_CSRF_ENABLED=True)
def test_csrf_token_is_required_on_every_form(client, app_ctx):
    user = make_user("psw")
    refused = client.post("/auth/sign-in", data={"email": user.email, "password": TEST_PASSWORD})
    assert refused.status_code == 400
    page = client.get("/auth/sign-in").data.decode()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    accepted = client.post(
        "/auth/sign-in", data={"email": user.email, "password": TEST_PASSWORD, "csrf_token": token}
    )
    assert accepted.status_code == 302
    assert client.post("/auth/sign-out").status_code == 400  # no token
    assert client.get("/").status_code == 200  # still signed in


def test_security_headers_on_every_response(client, auth, app_ctx):
    auth.login(make_user("psw"))
    for path in ("/", "/auth/sign-in", "/healthz", "/no-such-page"):
        headers = client.get(path).headers
        csp = headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp
        assert "unsafe-inline" not in csp
        assert "frame-ancestors 'none'" in csp
        assert headers["X-Frame-Options"] == "DENY"
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "same-origin"
        assert headers["Cache-Control"] == "no-store"


def test_session_cookie_is_httponly_and_samesite_lax(client, app_ctx):
    user = make_user("psw")
    response = sign_in(client, user.email)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
