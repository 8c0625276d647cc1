"""Sign-in refusals: one message for every refusal, the owner told of a lock, and per-address
throttling of failed sign-ins on top of the account lockout (counted in Redis)."""

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import func, select

from qa_app.extensions import db
from qa_app.models import EmailMessage, Notification, User, utcnow
from qa_app.views.auth import SIGN_IN_REFUSED
from tests.support.factories import TEST_PASSWORD, make_user

OFFICE = "192.0.2.10"  # documentation addresses (RFC 5737): never on a real network
ELSEWHERE = "198.51.100.7"


def sign_in(client, email, password=TEST_PASSWORD, address=OFFICE, headers=None):
    return client.post(
        "/auth/sign-in",
        data={"email": email, "password": password},
        environ_base={"REMOTE_ADDR": address},
        headers=headers or {},
    )


def _error_summary(response) -> str:
    """The page's error text, without the parts that always differ (the CSRF token)."""
    html = response.get_data(as_text=True)
    return re.search(r'<div class="govuk-error-summary.*?</div>\s*</div>', html, re.S).group(0)


def test_unknown_locked_and_wrong_password_get_the_same_page(client, app_ctx):
    known = make_user("psw", email="known@council.test")
    locked = make_user("psw", email="locked@council.test")
    locked.locked_until = utcnow() + timedelta(minutes=10)
    db.session.commit()
    wrong = sign_in(client, known.email, "not the password")
    unknown = sign_in(client, "nobody@council.test", "not the password")
    # The right password for a locked account: the page must still not say it is locked.
    lock = sign_in(client, locked.email)
    assert {r.status_code for r in (wrong, unknown, lock)} == {200}
    summaries = {_error_summary(r) for r in (wrong, unknown, lock)}
    assert len(summaries) == 1
    assert SIGN_IN_REFUSED.split(".")[0] in summaries.pop()
    assert "locked after" not in lock.get_data(as_text=True)


def test_the_owner_is_told_when_their_account_is_locked(client, app_ctx):
    user = make_user("psw", notification_mode="digest")
    for _ in range(5):
        sign_in(client, user.email, "wrong password!")
    note = db.session.scalar(select(Notification).where(Notification.user_id == user.id))
    assert note.kind == "account_locked"
    email = db.session.scalar(select(EmailMessage).where(EmailMessage.user_id == user.id))
    # Straight away, even for someone who reads a daily digest.
    assert email.to_address == user.email
    assert "locked after too many wrong passwords" in email.body


@pytest.mark.app_config(LOGIN_MAX_FAILURES_PER_ADDRESS=3, LOGIN_ADDRESS_WINDOW_MINUTES=10)
def test_an_address_with_too_many_failures_is_refused_before_any_account_is_tried(client, app_ctx):
    victim = make_user("psw")
    for n in range(3):
        assert sign_in(client, f"guess{n}@council.test", "Summer2026!").status_code == 200
    refused = sign_in(client, victim.email, "wrong password!")
    assert refused.status_code == 429
    assert refused.headers["Retry-After"] == "600"
    assert "too many failed sign-ins from your network" in refused.get_data(as_text=True)
    # Refused before the attempt reached the account: it is not counted, nor can it lock it.
    assert db.session.get(User, victim.id).failed_logins == 0
    # The right password from the same place waits too; another address is not affected.
    assert sign_in(client, victim.email).status_code == 429
    assert sign_in(client, victim.email, address=ELSEWHERE).status_code == 302


@pytest.mark.app_config(LOGIN_MAX_FAILURES_PER_ADDRESS=3, LOGIN_ADDRESS_WINDOW_MINUTES=10)
def test_one_address_cannot_lock_every_known_account(client, app_ctx):
    staff = [make_user("social_worker") for _ in range(4)]
    for person in staff:
        for _ in range(5):
            sign_in(client, person.email, "wrong password!")
    db.session.expire_all()
    locked = db.session.scalar(select(func.count(User.id)).where(User.locked_until.is_not(None)))
    assert locked == 0
    assert sum(db.session.get(User, p.id).failed_logins for p in staff) == 3


@pytest.mark.app_config(LOGIN_MAX_FAILURES_PER_ADDRESS=2, LOGIN_ADDRESS_WINDOW_MINUTES=10)
def test_the_throttle_lifts_once_the_window_has_passed(client, app_ctx):
    user = make_user("psw")
    # A minute into a ten-minute window (windows start at multiples of ten minutes).
    with time_machine.travel(datetime(2026, 11, 25, 10, 1, tzinfo=UTC), tick=False) as clock:
        sign_in(client, user.email, "wrong password!")
        sign_in(client, user.email, "wrong password!")
        assert sign_in(client, user.email).status_code == 429
        clock.shift(timedelta(minutes=5))
        assert sign_in(client, user.email).status_code == 429
        clock.shift(timedelta(minutes=6))  # 11 minutes after the failures
        assert sign_in(client, user.email).status_code == 302


@pytest.mark.app_config(LOGIN_MAX_FAILURES_PER_ADDRESS=1)
def test_forwarded_for_is_ignored_unless_a_proxy_is_configured(client, app_ctx):
    user = make_user("psw")
    sign_in(client, "x@council.test", "wrong password!", headers={"X-Forwarded-For": ELSEWHERE})
    # A client cannot pick the address it is counted under: both were OFFICE.
    assert (
        sign_in(client, user.email, headers={"X-Forwarded-For": "203.0.113.9"}).status_code == 429
    )


@pytest.mark.app_config(LOGIN_MAX_FAILURES_PER_ADDRESS=1, PROXY_FIX_X_FOR=1)
def test_behind_a_configured_proxy_the_client_address_is_the_forwarded_one(client, app_ctx):
    user = make_user("psw")
    sign_in(client, "x@council.test", "wrong password!", headers={"X-Forwarded-For": ELSEWHERE})
    assert sign_in(client, user.email, headers={"X-Forwarded-For": ELSEWHERE}).status_code == 429
    assert (
        sign_in(client, user.email, headers={"X-Forwarded-For": "203.0.113.9"}).status_code == 302
    )


@pytest.mark.app_config(LOGIN_MAX_FAILURES_PER_ADDRESS=1, REDIS_URL="redis://127.0.0.1:9/0")
def test_without_redis_the_throttle_fails_open_and_the_account_lockout_still_holds(client, app_ctx):
    user = make_user("psw")
    for _ in range(5):
        assert sign_in(client, user.email, "wrong password!").status_code == 200
    db.session.expire_all()
    assert db.session.get(User, user.id).locked_until is not None
    assert sign_in(client, user.email).status_code == 200  # locked: not signed in
