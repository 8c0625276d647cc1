"""API tokens expire (QA_API_TOKEN_DAYS, 90 by default), show their expiry, can be renewed by
their owner, and stop working at once for a locked or deactivated user."""

import re
from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import select

from qa_app.clock import to_local, utcnow
from qa_app.extensions import db
from qa_app.models import ApiToken, User
from tests.support.factories import make_user
from tests.support.pages import page_text

URL = "/api/v1/reports/2026-10/compliance"


def _new_token(client, auth, user) -> str:
    auth.login(user)
    page = client.post("/reports/tokens", data={"name": "Power BI"}).get_data(as_text=True)
    auth.logout()
    return re.search(r'class="report-token">(cqa_[^<]+)<', page).group(1)


def _call(client, token):
    return client.get(URL, headers={"Authorization": f"Bearer {token}"})


def test_a_new_token_expires_after_ninety_days_and_the_page_says_when(client, auth, app_ctx):
    psw = make_user("psw")
    _new_token(client, auth, psw)
    stored = db.session.scalar(select(ApiToken))
    assert stored.expires_at - stored.created_at == timedelta(days=90)
    auth.login(psw)
    page = client.get("/reports/tokens").get_data(as_text=True)
    expiry = re.search(r'data-testid="token-expiry">([^<]+)<', page).group(1).strip()
    # Stored in UTC, shown as the UK date (late evening UTC is the next day in summer).
    local = to_local(stored.expires_at)
    assert expiry == f"{local.day} {local:%B %Y}"


@pytest.mark.app_config(API_TOKEN_DAYS=7)
def test_an_expired_token_is_refused_with_a_clear_message_until_renewed(client, auth, app_ctx):
    psw = make_user("psw")
    token = _new_token(client, auth, psw)
    assert _call(client, token).status_code == 200
    with time_machine.travel(utcnow() + timedelta(days=7, minutes=1), tick=False):
        refused = _call(client, token)
        assert refused.status_code == 401
        assert "The API token expired on" in refused.get_json()["error"]
        assert "renew" in refused.get_json()["error"]
        auth.login(psw)
        assert "Expired" in page_text(client.get("/reports/tokens"))
        token_id = db.session.scalar(select(ApiToken.id))
        renewed = client.post(f"/reports/tokens/{token_id}/renew", follow_redirects=True)
        assert "renewed" in page_text(renewed)
        auth.logout()
        # The same token works again, for another 7 days from now.
        assert _call(client, token).status_code == 200
        db.session.expire_all()
        assert db.session.scalar(select(ApiToken.expires_at)) > utcnow() + timedelta(days=6)


def test_only_the_owner_renews_and_a_revoked_token_stays_revoked(client, auth, app_ctx):
    psw, other = make_user("psw"), make_user("dcs")
    token = _new_token(client, auth, psw)
    token_id = db.session.scalar(select(ApiToken.id))
    before = db.session.scalar(select(ApiToken.expires_at))
    auth.login(other)
    assert client.post(f"/reports/tokens/{token_id}/renew").status_code == 404
    auth.login(psw)
    client.post(f"/reports/tokens/{token_id}/revoke")
    refused = client.post(f"/reports/tokens/{token_id}/renew", follow_redirects=True)
    assert "A revoked token cannot be renewed" in page_text(refused)
    db.session.expire_all()
    assert db.session.scalar(select(ApiToken.expires_at)) == before
    auth.logout()
    assert _call(client, token).status_code == 401


def test_a_locked_users_token_stops_at_once_and_works_again_after_the_lock(client, auth, app_ctx):
    psw = make_user("psw")
    token = _new_token(client, auth, psw)
    user = db.session.get(User, psw.id)
    user.locked_until = utcnow() + timedelta(minutes=15)
    db.session.commit()
    refused = _call(client, token)
    assert refused.status_code == 401 and "locked" in refused.get_json()["error"]
    user.locked_until = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert _call(client, token).status_code == 200


def test_a_deactivated_users_token_stops_at_once(client, auth, app_ctx):
    psw = make_user("psw")
    token = _new_token(client, auth, psw)
    db.session.get(User, psw.id).active = False
    db.session.commit()
    refused = _call(client, token)
    assert refused.status_code == 401 and "not active" in refused.get_json()["error"]
