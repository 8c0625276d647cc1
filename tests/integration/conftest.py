"""Fixtures for tests against a real redis-server (started by scripts/test)."""

import os

import pytest
import redis

from tests.conftest import ON_CI


@pytest.fixture
def redis_url():
    url = os.environ.get("QA_TEST_REDIS_URL")
    if not url:
        if ON_CI:
            pytest.fail("QA_TEST_REDIS_URL is not set: CI needs a real Redis")
        pytest.skip("needs a real Redis (QA_TEST_REDIS_URL); scripts/test starts one")
    connection = redis.Redis.from_url(url)
    connection.flushdb()
    yield url
    connection.flushdb()
