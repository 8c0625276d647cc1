"""Load staff, roles, line management and capacities from a CSV (docs/formats.md#the-staff-csv).

Columns: ``name, email, roles, team, line_manager_email, capacity`` (optional: ``locality``,
``swe_number``, ``qualified_on``). A row with bad values is rejected and every problem of it is listed; a
missing column rejects the whole file. Existing staff (matched by email) are updated; a blank
``qualified_on`` keeps the date already recorded.
"""

import csv
import io
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select

from qa_app.extensions import db
from qa_app.importers.common import BadValue, RowProblems, parse_date
from qa_app.models import Locality, Team, User
from qa_app.services.people.accounts import (
    AccountError,
    StaffDetails,
    check_qualified_on,
    find_user_by_email,
    is_email,
    parse_roles,
)
from qa_app.services.people.accounts import update_user as apply_details
from qa_app.textnorm import clean_text, is_digits, name_key

REQUIRED = ("name", "email", "roles", "team", "line_manager_email", "capacity")
OPTIONAL = ("locality", "swe_number", "qualified_on")
MAX_ROWS = 50_000


class StaffFileError(ValueError):
    """The file as a whole cannot be read; nothing was changed."""


@dataclass
class StaffImportSummary:
    created: int = 0
    updated: int = 0
    teams_created: list[str] = field(default_factory=list)
    rejected: list[dict] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def rejected_rows(self) -> int:
        """Rows rejected (``rejected`` holds one entry per problem, several for one row)."""
        return len({r["row"] for r in self.rejected})

    def as_dict(self) -> dict:
        return {
            "created": self.created,
            "updated": self.updated,
            "teams_created": self.teams_created,
            "rejected_rows": self.rejected_rows,
            "rejected": self.rejected,
            "warnings": self.warnings,
        }


def _decode(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise StaffFileError(f"{exc.start}: the file is not UTF-8 or UTF-16 text") from exc


def read_staff_rows(data: bytes, filename: str) -> list[tuple[int, dict[str, str]]]:
    """The file's rows as (line number, {column: cleaned text}); structural errors raise."""
    if not data.strip():
        raise StaffFileError(f"{filename}: the file is empty")
    reader = csv.reader(io.StringIO(_decode(data)))
    header = next(reader, None) or []
    keys = [clean_text(h).lower().replace(" ", "_") for h in header]
    missing = [c for c in REQUIRED if c not in keys]
    if missing:
        raise StaffFileError(f"{filename}: missing column(s) {', '.join(missing)}")
    rows = []
    for line, values in enumerate(reader, start=2):
        if not any(v.strip() for v in values):
            continue
        if len(rows) >= MAX_ROWS:
            raise StaffFileError(f"{filename}: more than {MAX_ROWS:,} rows")
        rows.append((line, {k: clean_text(v) for k, v in zip(keys, values, strict=False)}))
    return rows


def _qualified_on(text: str, today: date) -> date | None:
    """The qualification date as the case importers read dates; BadValue says why not."""
    value = parse_date(text)
    try:
        check_qualified_on(value, today=today)
    except AccountError as exc:
        raise BadValue(str(exc).replace("Date qualified", "the date")) from exc
    return value


def _roles(value: str) -> list[str]:
    try:
        roles = parse_roles(value)
    except AccountError as exc:
        raise BadValue(str(exc)) from exc
    if not roles:
        raise BadValue("at least one role is required")
    return roles


def _problems(row: dict, file_emails: set[str], today: date) -> RowProblems:
    """Every problem of a staff row (a row with any is rejected); parsed values go into *row*."""
    problems = RowProblems()
    email = row.get("email", "").lower()
    if not is_email(email):
        problems.add("email", email, "not an email address")
    row["roles_parsed"] = problems.parse("roles", row.get("roles", ""), _roles)
    if not row.get("name"):
        problems.add("name", "", "a name is required")
    capacity = row.get("capacity", "")
    if capacity and not (is_digits(capacity) and int(capacity) <= 50):
        problems.add("capacity", capacity, "a whole number of audits a month, 0 to 50")
    row["qualified_on_parsed"] = problems.parse(
        "qualified_on", row.get("qualified_on", ""), lambda v: _qualified_on(v, today)
    )
    manager_email = row.get("line_manager_email", "").lower()
    if (
        manager_email
        and manager_email not in file_emails
        and find_user_by_email(manager_email) is None
    ):
        problems.add("line_manager_email", manager_email, "no such member of staff")
    return problems


def import_staff(data: bytes, filename: str, *, today: date) -> StaffImportSummary:
    """Create or update staff from a CSV file; see the module docstring for the layout.
    *today* bounds qualification dates (none in the future)."""
    rows = read_staff_rows(data, filename)
    summary = StaffImportSummary()
    extra = sorted(set(rows[0][1]) - set(REQUIRED) - set(OPTIONAL)) if rows else []
    if extra:
        summary.warnings.append(f"{filename}: ignored column(s) {', '.join(extra)}")
    teams = {t.name_key: t for t in db.session.scalars(select(Team))}
    localities = {name_key(loc.name): loc for loc in db.session.scalars(select(Locality))}

    def reject(line: int, column: str, value: str, reason: str) -> None:
        summary.rejected.append(
            {"file": filename, "row": line, "column": column, "value": value, "reason": reason}
        )

    # First pass: everyone exists, so a line manager may appear later in the file.
    file_emails = {row.get("email", "").lower() for _, row in rows}
    people: list[tuple[int, dict, User]] = []
    for line, row in rows:
        problems = _problems(row, file_emails, today)
        if problems:
            for column, value, reason in problems:
                reject(line, column, value, reason)
            continue
        email = row["email"].lower()
        user = find_user_by_email(email)
        if user is None:
            user = User(name=row["name"], email=email)
            db.session.add(user)
            summary.created += 1
        else:
            summary.updated += 1
        people.append((line, row, user))
    db.session.flush()

    for line, row, user in people:
        team = None
        if row.get("team"):
            team = teams.get(name_key(row["team"]))
            if team is None:
                team = Team(name=row["team"], pending=True)
                db.session.add(team)
                teams[team.name_key] = team
                summary.teams_created.append(team.name)
        locality = (
            localities.get(name_key(row.get("locality", ""))) if row.get("locality") else None
        )
        manager = None
        if row.get("line_manager_email"):
            manager = find_user_by_email(row["line_manager_email"])
        details = StaffDetails(
            name=row["name"],
            email=user.email,
            roles=row["roles_parsed"],
            team=team,
            locality=locality,
            line_manager=manager,
            capacity=int(row["capacity"]) if row.get("capacity") else None,
            qualified_on=row["qualified_on_parsed"] or user.qualified_on,
        )
        try:
            apply_details(user, details)
        except AccountError as exc:
            # Only a circle of line managers can fail here: keep the person, without the link.
            details.line_manager = None
            apply_details(user, details)
            summary.warnings.append(f"{filename} row {line}: line manager not set ({exc})")
        if row.get("swe_number"):
            user.swe_number = row["swe_number"].upper()
    db.session.flush()
    return summary
