"""The demo council's organisation: localities, teams, staff, roles and line management."""

import math
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from random import Random

from faker import Faker
from sqlalchemy import select

from qa_app.bulk import insert_rows
from qa_app.demo.caseload import LOCALITY_SHARE, CaseloadPlan, workers_needed
from qa_app.extensions import db
from qa_app.models import Absence, Locality, Team, User, UserRole
from qa_app.models.users import new_session_token
from qa_app.textnorm import name_key

DEMO_PASSWORD = "Casefile-demo-2026"  # noqa: S105 - the published demo password
DEMO_DOMAIN = "demo.casefile.test"

# One known login per role: (role, email, who they are).
DEMO_LOGINS: list[tuple[str, str, str]] = [
    ("qa_admin", f"qa.admin@{DEMO_DOMAIN}", "QA lead: imports, sampling, users"),
    ("dcs", f"dcs@{DEMO_DOMAIN}", "Director of Children's Services"),
    ("psw", f"psw@{DEMO_DOMAIN}", "Principal social worker"),
    ("head_of_service", f"hos.north@{DEMO_DOMAIN}", "Head of service, North"),
    ("senior_manager", f"sm.north@{DEMO_DOMAIN}", "Service manager, North"),
    ("team_manager", f"tm.north@{DEMO_DOMAIN}", "Team manager, North Child in need A"),
    ("advanced_practitioner", f"ap@{DEMO_DOMAIN}", "Advanced practitioner"),
    ("iro", f"iro@{DEMO_DOMAIN}", "Independent reviewing officer"),
    ("independent_auditor", f"independent.auditor@{DEMO_DOMAIN}", "External auditor"),
    ("social_worker", f"sw.north@{DEMO_DOMAIN}", "Social worker, North Child in need A"),
]
_LOGIN_EMAIL = {role: email for role, email, _ in DEMO_LOGINS}

SERVICE_NAMES = {
    "front_door": "Front Door and Assessment",
    "child_in_need": "Child in Need",
    "child_protection": "Child Protection",
    "children_in_care": "Children in Our Care",
    "care_leavers": "Care Leavers",
    "disabled_children": "Disabled Children",
}
# Each locality has two service managers, each over three services.
SERVICE_GROUPS = {
    "front_door": 0,
    "child_in_need": 0,
    "disabled_children": 0,
    "child_protection": 1,
    "children_in_care": 1,
    "care_leavers": 1,
}
WORKERS_PER_TEAM = 6
CHILDREN_PER_IRO = 60
ADVANCED_PRACTITIONERS = 12
# Years since a social worker qualified: (share of workers, fewest, most); None: not recorded.
SOCIAL_WORKER_EXPERIENCE = [
    (0.03, None, None),
    (0.16, 0, 1),
    (0.27, 1, 3),
    (0.18, 3, 5),
    (0.36, 5, 25),
]
# Managers, advanced practitioners and IROs are experienced social workers.
SENIOR_EXPERIENCE = {"team_manager": (6, 25), "advanced_practitioner": (8, 25), "iro": (10, 30)}


@dataclass
class Council:
    locality_ids: dict[str, int] = field(default_factory=dict)
    team_ids: list[int] = field(default_factory=list)
    teams_by_cell: dict[tuple[str, str], list[int]] = field(default_factory=dict)
    workers_by_team: dict[int, list[int]] = field(default_factory=dict)
    iro_ids: list[int] = field(default_factory=list)
    staff_count: int = 0


class _StaffWriter:
    """Collects staff rows and writes them with bulk INSERTs, returning their ids.

    Qualification dates come from their own generator (*experience*), so adding them left
    every other part of a seed's council as it was."""

    def __init__(self, fake: Faker, password_hash: str, now: datetime, experience: Random):
        self.fake = fake
        self.password_hash = password_hash
        self.now = now
        self.experience = experience
        self.used_emails: set[str] = set(_LOGIN_EMAIL.values())
        self.count = 0

    def _qualified_on(self, role: str) -> date | None:
        today = self.now.date()
        if role == "social_worker":
            bands = SOCIAL_WORKER_EXPERIENCE
            _share, low, high = self.experience.choices(bands, weights=[b[0] for b in bands])[0]
        elif role in SENIOR_EXPERIENCE:
            low, high = SENIOR_EXPERIENCE[role]
        else:
            return None
        if low is None:
            return None
        return today - timedelta(days=self.experience.randint(low * 365 + 1, high * 365 - 1))

    def _email(self, first: str, last: str) -> str:
        base = f"{name_key(first).replace(' ', '')}.{name_key(last).replace(' ', '')}"
        email, n = f"{base}@{DEMO_DOMAIN}", 1
        while email in self.used_emails:
            n += 1
            email = f"{base}{n}@{DEMO_DOMAIN}"
        self.used_emails.add(email)
        return email

    def add(self, people: list[dict], roles: list[str]) -> list[int]:
        """Insert *people* (team_id, locality_id, line_manager_id, email?) with *roles*."""
        rows = []
        for person in people:
            first, last = self.fake.first_name(), self.fake.last_name()
            name = f"{first} {last}"
            rows.append(
                {
                    "name": name,
                    "name_key": name_key(name),
                    "email": person.get("email") or self._email(first, last),
                    "password_hash": self.password_hash,
                    "team_id": person.get("team_id"),
                    "locality_id": person.get("locality_id"),
                    "line_manager_id": person.get("line_manager_id"),
                    "qualified_on": self._qualified_on(roles[0]) if len(roles) == 1 else None,
                    "session_token": new_session_token(),
                    "created_at": self.now,
                    "updated_at": self.now,
                }
            )
        if not rows:
            return []
        # Bulk INSERT, then the ids by the unique email (RETURNING over many rows is slow).
        insert_rows(User.__table__, rows)
        by_email = dict(
            db.session.execute(
                select(User.email, User.id).where(User.email.in_([r["email"] for r in rows]))
            ).all()
        )
        ids = [by_email[r["email"]] for r in rows]
        insert_rows(UserRole.__table__, [{"user_id": i, "role": r} for i in ids for r in roles])
        self.count += len(ids)
        return ids

    def one(self, role: str, **person) -> int:
        return self.add([person], [role])[0]


def _team_letter(i: int) -> str:
    return chr(ord("A") + i) if i < 26 else f"{i + 1}"


def build_council(
    plan: CaseloadPlan,
    *,
    rng: Random,
    fake: Faker,
    password_hash: str,
    now: datetime,
    experience: Random | None = None,
) -> Council:
    """Create localities, teams and staff sized to *plan* (flushes; the caller commits).
    *experience* draws the staff's qualification dates (default: a generator of its own)."""
    council = Council()
    staff = _StaffWriter(fake, password_hash, now, experience or Random(0))
    for name in LOCALITY_SHARE:
        locality = Locality(name=name)
        db.session.add(locality)
        db.session.flush()
        council.locality_ids[name] = locality.id

    dcs = staff.one("dcs", email=_LOGIN_EMAIL["dcs"])
    psw = staff.one("psw", email=_LOGIN_EMAIL["psw"], line_manager_id=dcs)
    staff.one("qa_admin", email=_LOGIN_EMAIL["qa_admin"], line_manager_id=psw)
    staff.one("independent_auditor", email=_LOGIN_EMAIL["independent_auditor"])

    practice_hub = _team("Practice Learning Hub", None, None)
    iro_service = _team("Independent Reviewing Service", None, None)
    ap_emails = [_LOGIN_EMAIL["advanced_practitioner"]] + [None] * (ADVANCED_PRACTITIONERS - 1)
    staff.add(
        [{"team_id": practice_hub, "line_manager_id": psw, "email": e} for e in ap_emails],
        ["advanced_practitioner"],
    )
    safeguarding_manager = staff.one("senior_manager", line_manager_id=dcs, team_id=iro_service)
    cp_cla = sum(c.get("cp", 0) + c.get("cla", 0) for c in plan.cells.values())
    iro_count = max(2, math.ceil(cp_cla / CHILDREN_PER_IRO))
    iro_emails = [_LOGIN_EMAIL["iro"]] + [None] * (iro_count - 1)
    council.iro_ids = staff.add(
        [
            {"team_id": iro_service, "line_manager_id": safeguarding_manager, "email": e}
            for e in iro_emails
        ],
        ["iro"],
    )

    specs: list[_TeamSpec] = []
    for locality, locality_id in council.locality_ids.items():
        slug = locality.lower()
        hos = staff.one(
            "head_of_service",
            locality_id=locality_id,
            line_manager_id=dcs,
            email=_LOGIN_EMAIL["head_of_service"]
            if slug == "north"
            else f"hos.{slug}@{DEMO_DOMAIN}",
        )
        managers = [
            staff.one(
                "senior_manager",
                locality_id=locality_id,
                line_manager_id=hos,
                email=_LOGIN_EMAIL["senior_manager"] if slug == "north" and group == 0 else None,
            )
            for group in (0, 1)
        ]
        for service in SERVICE_NAMES:
            cell = (locality, service)
            if cell in plan.cells and plan.cases_in(cell) > 0:
                manager = managers[SERVICE_GROUPS[service]]
                specs.extend(_team_specs(cell, locality_id, manager, plan))
    _staff_teams(council, staff, specs)

    _absences(council, rng, now.date())
    council.staff_count = staff.count
    db.session.flush()
    return council


def _team(name: str, locality_id: int | None, service: str | None) -> int:
    team = Team(name=name, locality_id=locality_id, service=service)
    db.session.add(team)
    db.session.flush()
    return team.id


@dataclass
class _TeamSpec:
    cell: tuple[str, str]
    name: str
    locality_id: int
    manager_id: int
    size: int
    is_login_team: bool


def _team_specs(cell, locality_id, manager_id, plan) -> list[_TeamSpec]:
    locality, service = cell
    workers = workers_needed(plan.cases_in(cell))
    count = max(1, round(workers / WORKERS_PER_TEAM))
    sizes = [workers // count + (1 if i < workers % count else 0) for i in range(count)]
    return [
        _TeamSpec(
            cell=cell,
            name=f"{locality} {SERVICE_NAMES[service]} {_team_letter(i)}",
            locality_id=locality_id,
            manager_id=manager_id,
            size=max(1, size),
            is_login_team=locality == "North" and service == "child_in_need" and i == 0,
        )
        for i, size in enumerate(sizes)
    ]


def _staff_teams(council: Council, staff: _StaffWriter, specs: list[_TeamSpec]) -> None:
    """Every locality team, its manager and its social workers, in a few bulk INSERTs."""
    now = staff.now
    insert_rows(
        Team.__table__,
        [
            {
                "name": spec.name,
                "name_key": name_key(spec.name),
                "locality_id": spec.locality_id,
                "service": spec.cell[1],
                "created_at": now,
                "updated_at": now,
            }
            for spec in specs
        ],
    )
    ids = dict(db.session.execute(select(Team.name_key, Team.id)).all())
    team_ids = [ids[name_key(spec.name)] for spec in specs]
    managers = staff.add(
        [
            {
                "team_id": team_id,
                "line_manager_id": spec.manager_id,
                "email": _LOGIN_EMAIL["team_manager"] if spec.is_login_team else None,
            }
            for spec, team_id in zip(specs, team_ids, strict=True)
        ],
        ["team_manager"],
    )
    people = []
    for spec, team_id, manager in zip(specs, team_ids, managers, strict=True):
        for i in range(spec.size):
            login = spec.is_login_team and i == 0
            people.append(
                {
                    "team_id": team_id,
                    "line_manager_id": manager,
                    "email": _LOGIN_EMAIL["social_worker"] if login else None,
                }
            )
    worker_ids = iter(staff.add(people, ["social_worker"]))
    for spec, team_id in zip(specs, team_ids, strict=True):
        council.team_ids.append(team_id)
        council.teams_by_cell.setdefault(spec.cell, []).append(team_id)
        council.workers_by_team[team_id] = [next(worker_ids) for _ in range(spec.size)]


def _absences(council: Council, rng: Random, today: date) -> None:
    """A few auditors away this month, as in any real month."""
    month_start = today.replace(day=1)
    candidates = sorted(council.iro_ids)
    for user_id in rng.sample(candidates, min(2, len(candidates))):
        db.session.add(
            Absence(
                user_id=user_id,
                starts_on=month_start,
                ends_on=month_start + timedelta(days=40),
                kind="absence",
                reason="Planned leave",
            )
        )
