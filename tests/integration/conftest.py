"""Fixtures for tests against a real redis-server (started by scripts/test)."""

import os

import pytest
import redis

from tests.conftest import ON_CI, XDIST_WORKER


@pytest.fixture
def redis_url():
    url = os.environ.get("QA_TEST_REDIS_URL")
    if not url:
        if ON_CI:
            pytest.fail("QA_TEST_REDIS_URL is not set: CI needs a real Redis")
        pytest.skip("needs a real Redis (QA_TEST_REDIS_URL); scripts/test starts one")
    if XDIST_WORKER:
        # One Redis database per xdist worker (gw0 → 1, gw1 → 2, …): flushdb stays private.
        url = f"{url.rsplit('/', 1)[0]}/{int(XDIST_WORKER.removeprefix('gw')) + 1}"
    connection = redis.Redis.from_url(url)
    connection.flushdb()
    yield url
    connection.flushdb()
