"""The sign-in throttle against a real redis-server: two web processes share one count."""

import pytest

from qa_app.extensions import db
from qa_app.models import User
from tests.conftest import make_app
from tests.support.factories import make_user

OFFICE = "192.0.2.10"


def _sign_in(client, email, password):
    return client.post(
        "/auth/sign-in",
        data={"email": email, "password": password},
        environ_base={"REMOTE_ADDR": OFFICE},
    )


@pytest.mark.redis
def test_failures_counted_by_one_web_process_throttle_another(redis_url, app, client):
    app.config.update(REDIS_URL=redis_url, LOGIN_MAX_FAILURES_PER_ADDRESS=3)
    # A second app stands for a second gunicorn process: only Redis carries the count.
    other = make_app(REDIS_URL=redis_url, LOGIN_MAX_FAILURES_PER_ADDRESS=3)
    with app.app_context():
        victim = make_user("psw")
        victim_id, email = victim.id, victim.email
    for n in range(3):
        assert _sign_in(client, f"guess{n}@council.test", "Summer2026!").status_code == 200
    refused = _sign_in(other.test_client(), email, "wrong password!")
    assert refused.status_code == 429
    with app.app_context():
        assert db.session.get(User, victim_id).failed_logins == 0
