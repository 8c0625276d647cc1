"""Accounts: passwords, sign-in with lockout, and creating and changing staff records."""

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select, update
from werkzeug.security import check_password_hash, generate_password_hash
from zxcvbn import zxcvbn

from qa_app.extensions import db
from qa_app.models import Locality, Team, User
from qa_app.models.users import new_session_token
from qa_app.models.vocab import ROLES
from qa_app.services.platform import notifications
from qa_app.textnorm import clean_text

# Compared against when the email is unknown, so a wrong email costs as much time as a wrong
# password and response times do not reveal which accounts exist.
_DUMMY_HASH = generate_password_hash("not-a-password-of-anyone")


EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def is_email(value: str) -> bool:
    """A plausible email address: something@domain.tld (no network look-ups)."""
    return bool(EMAIL.match(value or ""))


class AccountError(ValueError):
    """A request about an account that cannot be carried out; the message says why."""


@dataclass(frozen=True)
class SignInResult:
    user: User | None
    locked_until: datetime | None = None


def hash_password(password: str) -> str:
    """A salted scrypt hash (werkzeug's current default)."""
    return generate_password_hash(password)


# zxcvbn's estimate of guesses: 3 is 10^8 or more ("safely unguessable" against an online or
# throttled attack), and refuses the 30,000 commonest breached passwords it bundles (from the
# Xato corpus of 10 million leaked passwords), their l33t and reversed forms, keyboard walks,
# dates, names and passwords built from the person's own email or name. It runs offline.
MIN_PASSWORD_SCORE = 3
# zxcvbn refuses longer input; the characters past it only make a password harder to guess.
_ZXCVBN_MAX = 72


def check_password_policy(
    password: str, *, email: str | None, min_length: int, name: str | None = None
) -> None:
    """Raise AccountError unless *password* is long enough, not the email address, and not a
    common, breached or easily guessed password (zxcvbn)."""
    if len(password) < min_length:
        raise AccountError(f"Password must be at least {min_length} characters long")
    if email and password.strip().lower() == email.strip().lower():
        raise AccountError("Password must not be your email address")
    if len(set(password)) < 4:
        raise AccountError("Password must not repeat the same few characters")
    result = zxcvbn(password[:_ZXCVBN_MAX], user_inputs=_own_words(email, name))
    if result["score"] < MIN_PASSWORD_SCORE:
        warning = result["feedback"].get("warning") or "It would be easy to guess."
        raise AccountError(
            f"Password is too common or too easy to guess. {warning.rstrip('.')}. "
            "Three random words together make a strong password."
        )


def _own_words(email: str | None, name: str | None) -> list[str]:
    """The person's email, its parts and their name, as zxcvbn's extra dictionary."""
    email, name = (email or "").strip().lower(), (name or "").strip().lower()
    local, _, domain = email.partition("@")
    words = {email, local, domain, name, re.sub(r"[^a-z0-9]", "", name)}
    words.update(re.split(r"[^a-z0-9]+", f"{email} {name}"))
    return sorted(w for w in words if len(w) > 2)


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == clean_text(email).lower()))


def authenticate(
    email: str,
    password: str,
    *,
    now: datetime,
    max_failures: int,
    lockout: timedelta,
    base_url: str,
) -> SignInResult:
    """Check a sign-in attempt, counting failures per account in the database.

    After *max_failures* wrong passwords in a row the account is locked for *lockout* and its
    owner is told (a notification and an email), because the sign-in page says the same for
    unknown, locked and wrong-password attempts. The counter is incremented with a single
    UPDATE so that parallel attempts on several web processes are all counted.
    """
    user = find_user_by_email(email) if email else None
    if user is None or not user.password_hash or not user.is_active:
        check_password_hash(_DUMMY_HASH, password)
        return SignInResult(None)
    if user.locked_until is not None and user.locked_until > now:
        # The same work as any other attempt, so the time taken does not tell a lock apart.
        check_password_hash(_DUMMY_HASH, password)
        return SignInResult(None, locked_until=user.locked_until)
    if check_password_hash(user.password_hash, password):
        user.failed_logins = 0
        user.locked_until = None
        user.last_login_at = now
        db.session.flush()
        return SignInResult(user)
    failures = db.session.execute(
        update(User)
        .where(User.id == user.id)
        .values(failed_logins=User.failed_logins + 1)
        .returning(User.failed_logins)
    ).scalar_one()
    if failures >= max_failures:
        db.session.execute(
            update(User)
            .where(User.id == user.id)
            .values(failed_logins=0, locked_until=now + lockout)
        )
        db.session.expire(user)
        _tell_owner_of_lock(user, now=now, until=now + lockout, base_url=base_url)
        return SignInResult(None, locked_until=now + lockout)
    db.session.expire(user)
    return SignInResult(None)


def _tell_owner_of_lock(user: User, *, now: datetime, until: datetime, base_url: str) -> None:
    stamp = f"{now:%Y%m%d%H%M%S}"
    body = (
        "Your Casefile QA account was locked after too many wrong passwords. It unlocks by "
        "itself in a few minutes, or the QA team can unlock it. If you did not try to sign in, "
        "tell the QA team: someone else may know your email address."
    )
    message = notifications.Message(
        kind="account_locked", subject="Your Casefile QA account was locked", body=body
    )
    notifications.notify(
        user, message, dedupe_key=f"locked:{user.id}:{stamp}", now=now, base_url=base_url,
        email=False,
    )  # fmt: skip
    # Straight to the inbox, even for digest readers: it is about their account's safety.
    notifications.queue_email(
        dedupe_key=f"locked-email:{user.id}:{stamp}",
        to=user,
        subject=message.subject,
        body=f"Dear {user.name},\n\n{body}\n\nCasefile QA: {base_url.rstrip('/')}/\n",
        now=now,
    )


def unlock(user: User) -> None:
    user.failed_logins = 0
    user.locked_until = None


def set_password(user: User, password: str, *, min_length: int, temporary: bool = False) -> None:
    """Set a new password and sign the user out of every other session."""
    check_password_policy(password, email=user.email, min_length=min_length, name=user.name)
    user.password_hash = hash_password(password)
    user.must_change_password = temporary
    user.session_token = new_session_token()
    unlock(user)


def change_own_password(user: User, current: str, new: str, *, min_length: int) -> None:
    if not user.password_hash or not check_password_hash(user.password_hash, current):
        raise AccountError("Your current password is not correct")
    if current == new:
        raise AccountError("Your new password must be different from your current password")
    set_password(user, new, min_length=min_length)


def parse_roles(text: str | list[str] | tuple[str, ...]) -> list[str]:
    """Role keys from "a;b", "a, b", "a|b" or a list; unknown keys raise AccountError."""
    items = (
        text
        if isinstance(text, list | tuple)
        else str(text).replace("|", ";").replace(",", ";").split(";")
    )
    roles = [clean_text(item).lower().replace(" ", "_") for item in items]
    roles = [r for r in roles if r]
    unknown = sorted(set(roles) - ROLES.keys())
    if unknown:
        raise AccountError(f"Unknown role {', '.join(unknown)}; roles are {', '.join(ROLES)}")
    return sorted(set(roles))


EARLIEST_QUALIFICATION = date(1950, 1, 1)


def check_qualified_on(value: date | None, *, today: date) -> None:
    """Raise AccountError unless *value* (a social work qualification date) is blank or a date
    from 1950 up to *today*."""
    if value is None:
        return
    if value > today:
        raise AccountError("Date qualified must be today or in the past")
    if value < EARLIEST_QUALIFICATION:
        raise AccountError("Date qualified must be after 1 January 1950")


def set_qualified_on(user: User, value: date | None, *, today: date) -> None:
    """Record (or clear, with None) the date *user* qualified as a social worker."""
    check_qualified_on(value, today=today)
    user.qualified_on = value
    db.session.flush()


@dataclass
class StaffDetails:
    """What an administrator can set on a member of staff."""

    name: str
    email: str
    roles: list[str]
    team: Team | None = None
    locality: Locality | None = None
    line_manager: User | None = None
    capacity: int | None = None
    active: bool = True
    qualified_on: date | None = None


def create_user(details: StaffDetails) -> User:
    """Add a member of staff; the email must not be in use."""
    if find_user_by_email(details.email) is not None:
        raise AccountError(f"A user with the email {details.email} already exists")
    user = User(name=details.name, email=details.email)
    db.session.add(user)
    update_user(user, details)
    return user


def update_user(user: User, details: StaffDetails) -> None:
    """Apply *details* to *user*, checking line management does not go round in a circle."""
    if not details.roles:
        raise AccountError("Choose at least one role")
    other = find_user_by_email(details.email)
    if other is not None and other is not user:
        raise AccountError(f"A user with the email {details.email} already exists")
    if details.capacity is not None and not 0 <= details.capacity <= 50:
        raise AccountError("Monthly audit capacity must be between 0 and 50")
    _check_line_manager(user, details.line_manager)
    user.name = details.name
    user.email = details.email
    user.set_roles(details.roles)
    user.team = details.team
    user.locality = details.locality
    user.line_manager = details.line_manager
    user.capacity = details.capacity
    user.qualified_on = details.qualified_on
    if user.active and not details.active:
        user.session_token = new_session_token()
    user.active = details.active
    user.pending = False
    db.session.flush()


def _check_line_manager(user: User, manager: User | None) -> None:
    seen = set()
    current = manager
    while current is not None:
        if current is user:
            raise AccountError("A person cannot be their own line manager, directly or indirectly")
        if current.id in seen:
            break
        seen.add(current.id)
        current = current.line_manager
