"""Personal API tokens for the read-only JSON endpoints: created once, kept only as a hash.

A token acts as its user, with that user's roles and scope at the time of each request (a
deactivated user's tokens stop working at once). The plain token is shown once when created.
"""

import hashlib
import secrets
from datetime import datetime

from sqlalchemy import select

from qa_app.extensions import db
from qa_app.models import ApiToken, User

PREFIX = "cqa_"
MAX_ACTIVE = 10


class TokenRefused(ValueError):
    """The token cannot be created or revoked (the message says why)."""


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def tokens_of(user: User) -> list[ApiToken]:
    return list(
        db.session.scalars(
            select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id.desc())
        )
    )


def create_token(user: User, name: str, *, now: datetime) -> tuple[ApiToken, str]:
    """A new token for *user*; returns the row and the plain token (shown once, never stored)."""
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
        user_id=user.id, name=name, token_hash=_hash(plain), prefix=plain[:10], created_at=now
    )
    db.session.add(token)
    db.session.flush()
    return token, plain


def revoke_token(token: ApiToken, *, by: User, now: datetime) -> None:
    if token.user_id != by.id:
        raise TokenRefused("You can revoke only your own tokens")
    if token.revoked_at is None:
        token.revoked_at = now
    db.session.flush()


def user_for_token(plain: str, *, now: datetime) -> User | None:
    """The active user a live token belongs to, else None; records when it was last used."""
    if not plain or not plain.startswith(PREFIX):
        return None
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == _hash(plain)))
    if token is None or token.revoked_at is not None:
        return None
    user = token.user
    if not user.active or user.pending:
        return None
    token.last_used_at = now
    db.session.flush()
    return user
