"""Personal API tokens for the read-only JSON endpoints: created once, kept only as a hash.

A token acts as its user, with that user's roles and scope at the time of each request: a
deactivated or locked user's tokens stop working at once. The plain token is shown once when
created. Tokens expire (``QA_API_TOKEN_DAYS``, 90 days by default); renewing one moves its
expiry on without changing the token, so a BI tool that holds it keeps working.
"""

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import select

from qa_app.extensions import db
from qa_app.models import ApiToken, User

PREFIX = "cqa_"
MAX_ACTIVE = 10
DEFAULT_DAYS = 90


class TokenRefused(ValueError):
    """The token cannot be created, renewed or revoked (the message says why)."""


class InvalidToken(ValueError):
    """A request's token does not let it in; the message tells the caller why."""


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def tokens_of(user: User) -> list[ApiToken]:
    return list(
        db.session.scalars(
            select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id.desc())
        )
    )


def create_token(
    user: User, name: str, *, now: datetime, days: int = DEFAULT_DAYS
) -> tuple[ApiToken, str]:
    """A new token for *user*, valid for *days*; returns the row and the plain token (shown
    once, never stored)."""
    name = (name or "").strip()
    if not name:
        raise TokenRefused("Token name: enter what the token is for")
    if len(name) > 100:
        raise TokenRefused("Token name: at most 100 characters")
    active = [t for t in tokens_of(user) if t.revoked_at is None]
    if len(active) >= MAX_ACTIVE:
        raise TokenRefused(f"You already have {MAX_ACTIVE} tokens: revoke one first")
    plain = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user_id=user.id,
        name=name,
        token_hash=_hash(plain),
        prefix=plain[:10],
        created_at=now,
        expires_at=now + timedelta(days=days),
    )
    db.session.add(token)
    db.session.flush()
    return token, plain


def renew_token(token: ApiToken, *, by: User, now: datetime, days: int = DEFAULT_DAYS) -> None:
    """Let *token* work for *days* from *now* (expired ones too: its owner is signed in)."""
    if token.user_id != by.id:
        raise TokenRefused("You can renew only your own tokens")
    if token.revoked_at is not None:
        raise TokenRefused("A revoked token cannot be renewed: create a new one")
    token.expires_at = now + timedelta(days=days)
    db.session.flush()


def revoke_token(token: ApiToken, *, by: User, now: datetime) -> None:
    if token.user_id != by.id:
        raise TokenRefused("You can revoke only your own tokens")
    if token.revoked_at is None:
        token.revoked_at = now
    db.session.flush()


def user_for_token(plain: str, *, now: datetime) -> User:
    """The user a live token belongs to; records when it was last used.

    Raises InvalidToken, saying why, for an unknown, revoked or expired token and for a user
    who is deactivated, not yet confirmed or locked out after wrong passwords.
    """
    if not plain or not plain.startswith(PREFIX):
        raise InvalidToken("The API token is not valid (mistyped, or not a Casefile QA token)")
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == _hash(plain)))
    if token is None:
        raise InvalidToken("The API token is not valid (mistyped, or not a Casefile QA token)")
    if token.revoked_at is not None:
        raise InvalidToken("The API token is not valid: it has been revoked")
    if token.expires_at <= now:
        raise InvalidToken(
            f"The API token expired on {token.expires_at:%Y-%m-%d %H:%M} UTC: its owner can "
            "renew it under Reports, API tokens"
        )
    user = token.user
    if not user.active or user.pending:
        raise InvalidToken("The API token's user account is not active")
    if user.locked_until is not None and user.locked_until > now:
        raise InvalidToken("The API token's user account is locked: try again later")
    token.last_used_at = now
    db.session.flush()
    return user
