"""``qa users``: create, import and change staff accounts."""

import json
import sys
from datetime import date

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import select

from qa_app.clock import local_today, utcnow
from qa_app.extensions import db
from qa_app.models import Locality, Team, User
from qa_app.services.imports import staff as staff_import
from qa_app.services.people import accounts, staff
from qa_app.textnorm import name_key


@click.group(cls=AppGroup)
def users() -> None:
    """Manage staff accounts."""


def _user(email: str) -> User:
    user = accounts.find_user_by_email(email)
    if user is None:
        raise click.ClickException(f"No user with the email {email}")
    return user


def _team(name: str | None) -> Team | None:
    if not name:
        return None
    team = db.session.scalar(select(Team).where(Team.name_key == name_key(name)))
    if team is None:
        raise click.ClickException(f"No team called {name!r}")
    return team


def _locality(name: str | None) -> Locality | None:
    if not name:
        return None
    for locality in db.session.scalars(select(Locality)):
        if name_key(locality.name) == name_key(name):
            return locality
    raise click.ClickException(f"No locality called {name!r}")


@users.command("create")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--roles", required=True, help="Comma-separated role keys, e.g. team_manager,iro")
@click.option("--team", default=None, help="Team name")
@click.option("--locality", default=None, help="Locality led (heads of service)")
@click.option("--line-manager", "line_manager", default=None, help="Line manager's email")
@click.option("--capacity", type=click.IntRange(0, 50), default=None)
@click.option(
    "--qualified-on",
    "qualified_on",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="Date qualified as a social worker, YYYY-MM-DD",
)
@click.option("--password", default=None, help="Prompted for when not given")
@click.option("--temporary/--permanent", default=False, help="Must change it at first sign-in")
def create(
    email, name, roles, team, locality, line_manager, capacity, qualified_on, password, temporary
):
    """Add a member of staff who can sign in."""
    qualified_on = qualified_on.date() if qualified_on else None
    try:
        accounts.check_qualified_on(qualified_on, today=local_today())
        details = accounts.StaffDetails(
            name=name,
            email=email,
            roles=accounts.parse_roles(roles),
            team=_team(team),
            locality=_locality(locality),
            line_manager=_user(line_manager) if line_manager else None,
            capacity=capacity,
            qualified_on=qualified_on,
        )
        user = accounts.create_user(details)
        if password is None:
            password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
        accounts.set_password(
            user,
            password,
            min_length=current_app.config["PASSWORD_MIN_LENGTH"],
            temporary=temporary,
        )
    except accounts.AccountError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    click.echo(f"Created {user.email} with roles {', '.join(sorted(user.roles))}")


@users.command("set-roles")
@click.argument("email")
@click.argument("roles", nargs=-1, required=True)
def set_roles(email, roles):
    """Replace a user's roles: qa users set-roles EMAIL ROLE [ROLE...]."""
    user = _user(email)
    try:
        user.set_roles(accounts.parse_roles(list(roles)))
    except (accounts.AccountError, ValueError) as exc:
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    click.echo(f"{user.email}: {', '.join(sorted(user.roles))}")


@users.command("set-password")
@click.argument("email")
@click.option("--password", default=None, help="Prompted for when not given")
@click.option("--temporary/--permanent", default=True)
def set_password(email, password, temporary):
    """Set a user's password (temporary by default) and sign them out everywhere."""
    user = _user(email)
    if password is None:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        accounts.set_password(
            user,
            password,
            min_length=current_app.config["PASSWORD_MIN_LENGTH"],
            temporary=temporary,
        )
    except accounts.AccountError as exc:
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    click.echo(f"Password set for {user.email}")


@users.command("set-qualified")
@click.argument("email")
@click.argument("qualified_on", metavar="YYYY-MM-DD|none")
def set_qualified(email, qualified_on):
    """Record the date a member of staff qualified as a social worker (``none`` clears it)."""
    user = _user(email)
    try:
        value = None if qualified_on.lower() == "none" else date.fromisoformat(qualified_on)
    except ValueError as exc:
        raise click.ClickException(
            f"{qualified_on!r} is not a date in the form YYYY-MM-DD"
        ) from exc
    try:
        accounts.set_qualified_on(user, value, today=local_today())
    except accounts.AccountError as exc:
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    click.echo(f"{user.email}: qualified {value.isoformat() if value else 'not recorded'}")


@users.command("unlock")
@click.argument("email")
def unlock(email):
    """Clear a lockout after too many failed sign-ins."""
    accounts.unlock(_user(email))
    db.session.commit()
    click.echo(f"Unlocked {email}")


@users.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON")
def import_(file, as_json):
    """Create or update staff from a CSV: name, email, roles, team, line_manager_email, capacity
    (optional: locality, swe_number, qualified_on)."""
    with open(file, "rb") as handle:
        data = handle.read()
    try:
        summary = staff_import.import_staff(data, file, today=local_today())
    except staff_import.StaffFileError as exc:
        db.session.rollback()
        click.echo(str(exc), err=True)
        sys.exit(2)
    db.session.commit()
    if as_json:
        click.echo(json.dumps(summary.as_dict(), indent=2))
        return
    click.echo(
        f"{summary.created} created, {summary.updated} updated, {summary.rejected_rows} rejected"
        f" ({len(summary.rejected)} problems)"
    )
    for row in summary.rejected:
        click.echo(f"  row {row['row']} {row['column']}={row['value']!r}: {row['reason']}")
    for warning in summary.warnings:
        click.echo(f"  warning: {warning}")


@users.command("list")
@click.option("--role", default="", help="Only users with this role")
def list_(role):
    """List staff: email, roles, team."""
    page = 1
    while True:
        result = staff.search_users(role=role, page=page, now=utcnow())
        for user in result.items:
            team = user.team.name if user.team else ""
            click.echo(f"{user.email or '(pending)'}\t{','.join(sorted(user.roles))}\t{team}")
        if page >= result.pages:
            break
        page += 1
