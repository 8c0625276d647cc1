"""Figures cached in Redis under a key that names everything they depend on.

Callers put a *data stamp* (something that moves whenever the underlying rows can change) in
the key, so a cached answer is the current one; the expiry only bounds memory. Without Redis
the value is computed every time: a page is slower, never wrong or broken.
"""

import hashlib
import json
from collections.abc import Callable
from contextlib import suppress
from typing import Any

from redis.exceptions import RedisError

from qa_app.extensions import redis_store


def cached_json(
    namespace: str, key_parts: list, compute: Callable[[], Any], *, seconds: int = 3600
) -> Any:
    """*compute()*'s JSON-serialisable result, from Redis when the same *key_parts* were seen."""
    digest = hashlib.sha256(json.dumps(key_parts, default=str).encode()).hexdigest()
    key = f"qa:{namespace}:{digest}"
    try:
        stored = redis_store.connection.get(key)
    except RedisError:
        stored = None
    if stored:
        return json.loads(stored)
    value = compute()
    with suppress(RedisError):
        redis_store.connection.set(key, json.dumps(value), ex=seconds)
    return value
