"""Per-address throttling of failed sign-ins, counted in Redis.

The account lockout (qa_app.services.people.accounts.authenticate) stops guessing at one
account; this stops one place from guessing at many, or from locking every known account on
purpose: past ``LOGIN_MAX_FAILURES_PER_ADDRESS`` failures in ``LOGIN_ADDRESS_WINDOW_MINUTES``
an address is refused (HTTP 429) before its attempts reach any account.

Counters live in Redis, shared by every web process (nothing in process memory). They are a
sliding window made of two fixed ones: the current window's count plus the share of the previous
window's that still lies inside the sliding window. When Redis is down the throttle fails open
and logs it: the per-account lockout, kept in the database, still protects every account, and
refusing every sign-in while Redis is down would lock the whole council out.

IPv6 addresses are counted by their /64 network, which one household or office usually holds.
"""

import ipaddress
import logging
from dataclasses import dataclass
from datetime import datetime

from redis.exceptions import RedisError

from qa_app.extensions import redis_store

log = logging.getLogger(__name__)
KEY_PREFIX = "qa:sign-in-failures"


@dataclass(frozen=True)
class AddressLimit:
    """At most *max_failures* failed sign-ins from one address in *window_seconds*."""

    max_failures: int
    window_seconds: int

    @classmethod
    def from_config(cls, config) -> "AddressLimit":
        return cls(
            max_failures=int(config["LOGIN_MAX_FAILURES_PER_ADDRESS"]),
            window_seconds=int(config["LOGIN_ADDRESS_WINDOW_MINUTES"]) * 60,
        )


def address_key(address: str | None) -> str:
    """The counter's name for *address*: IPv4 as it is, IPv6 by its /64 network."""
    try:
        ip = ipaddress.ip_address((address or "").strip())
    except ValueError:
        return "unknown"
    if ip.version == 4:
        return str(ip)
    if ip.ipv4_mapped is not None:
        return str(ip.ipv4_mapped)
    return str(ipaddress.ip_network(f"{ip}/64", strict=False).network_address)


def _keys(address: str | None, now: datetime, limit: AddressLimit) -> tuple[str, str, float]:
    stamp = now.timestamp()
    window = int(stamp // limit.window_seconds)
    elapsed = (stamp % limit.window_seconds) / limit.window_seconds
    base = f"{KEY_PREFIX}:{address_key(address)}"
    return f"{base}:{window}", f"{base}:{window - 1}", elapsed


def _weighted(current: int, previous: int, elapsed: float) -> float:
    return current + previous * (1.0 - elapsed)


def is_throttled(address: str | None, *, now: datetime, limit: AddressLimit) -> bool:
    """True when *address* has used up its failed sign-ins; False too when Redis is down."""
    if limit.max_failures <= 0:
        return False
    current_key, previous_key, elapsed = _keys(address, now, limit)
    try:
        current, previous = redis_store.connection.mget(current_key, previous_key)
    except RedisError as exc:
        log.warning("sign-in throttle unavailable, failing open: %s", type(exc).__name__)
        return False
    return _weighted(int(current or 0), int(previous or 0), elapsed) >= limit.max_failures


def record_failure(address: str | None, *, now: datetime, limit: AddressLimit) -> None:
    """Count one failed sign-in from *address* (nothing when Redis is down)."""
    current_key, _previous, _elapsed = _keys(address, now, limit)
    try:
        pipe = redis_store.connection.pipeline()
        pipe.incr(current_key)
        # Two windows: the next window still reads this one as its "previous".
        pipe.expire(current_key, 2 * limit.window_seconds)
        pipe.execute()
    except RedisError as exc:
        log.warning("sign-in throttle unavailable, not counted: %s", type(exc).__name__)
