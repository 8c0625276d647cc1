"""factory_boy factories for the models; rows are committed so views and jobs see them."""

from datetime import date

import factory
from factory.alchemy import SQLAlchemyModelFactory

from qa_app.extensions import db
from qa_app.models import Case, Child, Locality, Team, User
from qa_app.services.people.accounts import hash_password

TEST_PASSWORD = "correct horse battery staple"
PASSWORD_HASH = hash_password(TEST_PASSWORD)  # scrypt is slow on purpose: hash once


class BaseFactory(SQLAlchemyModelFactory):
    class Meta:
        abstract = True
        sqlalchemy_session_factory = lambda: db.session  # noqa: E731
        sqlalchemy_session_persistence = "commit"


class LocalityFactory(BaseFactory):
    class Meta:
        model = Locality

    name = factory.Sequence(lambda n: f"Locality {n}")


class TeamFactory(BaseFactory):
    class Meta:
        model = Team

    name = factory.Sequence(lambda n: f"Team {n}")
    locality = factory.SubFactory(LocalityFactory)
    service = "child_in_need"


class UserFactory(BaseFactory):
    class Meta:
        model = User

    name = factory.Faker("name", locale="en_GB")
    email = factory.Sequence(lambda n: f"person{n}@council.test")
    password_hash = PASSWORD_HASH
    team = None

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        self.set_roles(extracted or ["social_worker"])
        if create:
            db.session.commit()


class ChildFactory(BaseFactory):
    class Meta:
        model = Child

    la_child_id = factory.Sequence(lambda n: f"{n + 1:07d}")
    dob = date(2015, 6, 1)
    sex = "F"


class CaseFactory(BaseFactory):
    class Meta:
        model = Case

    child = factory.SubFactory(ChildFactory)
    cohort = "cin"
    team = factory.SubFactory(TeamFactory)
    opened_on = date(2025, 1, 6)


def make_user(*roles: str, **fields) -> User:
    return UserFactory(roles=list(roles) or ["social_worker"], **fields)


def make_toolkit_version(*, by=None, **doc_overrides):
    """Load a small valid toolkit (tests/toolkit_docs.minimal_doc) and return its active version.

    Goes through the real loader, so the version is exactly what a loaded file would give.
    """
    from qa_app.clock import utcnow  # noqa: PLC0415
    from qa_app.services.toolkits.store import load_toolkits  # noqa: PLC0415
    from tests.support.toolkit_docs import minimal_doc, to_yaml  # noqa: PLC0415

    doc = minimal_doc(**doc_overrides)
    (result,) = load_toolkits(
        [(to_yaml(doc), f"{doc['key']}.yaml")], by=by, now=utcnow(), via="cli"
    )
    db.session.commit()
    return result.version


def make_assignment(
    *,
    case=None,
    auditor=None,
    month: str = "2026-11",
    tier: int = 2,
    status: str = "assigned",
    **fields,
):
    """A sampled case given to an auditor in a published cycle for *month* (made if needed)."""
    from sqlalchemy import select  # noqa: PLC0415

    from qa_app.models import Assignment, AuditCycle, SampleItem  # noqa: PLC0415
    from qa_app.services.platform.calendar import last_working_day  # noqa: PLC0415

    year, mon = (int(part) for part in month.split("-"))
    cycle = db.session.scalar(select(AuditCycle).where(AuditCycle.month == month))
    if cycle is None:
        cycle = AuditCycle(
            month=month, reference_date=date(year, mon, 1), seed=1, status="published"
        )
        db.session.add(cycle)
    case = case or CaseFactory()
    auditor = auditor or make_user("advanced_practitioner")
    item = SampleItem(cycle=cycle, case_id=case.id, team_id=case.team_id, cohort=case.cohort)
    assignment = Assignment(
        item=item,
        auditor=auditor,
        tier=tier,
        due_on=fields.pop("due_on", last_working_day(year, mon)),
        status=status,
        **fields,
    )
    db.session.add(assignment)
    db.session.commit()
    return assignment


def make_audit(*, assignment=None, toolkit_version=None, status: str = "draft", **fields):
    """An audit of an assignment (made if not given) on a small loaded toolkit."""
    from qa_app.models import Audit  # noqa: PLC0415

    assignment = assignment or make_assignment()
    version = toolkit_version or make_toolkit_version()
    audit = Audit(
        assignment=assignment,
        case_id=assignment.item.case_id,
        auditor_id=assignment.auditor_id,
        toolkit_version=version,
        status=status,
        **fields,
    )
    db.session.add(audit)
    db.session.commit()
    return audit


def make_action(*, case=None, audit=None, owner=None, due_on: date = date(2026, 12, 21), **fields):
    """An action owned by *owner* (a social worker if not given)."""
    from qa_app.models import Action  # noqa: PLC0415

    if case is None:
        case = audit.case if audit is not None else CaseFactory()
    action = Action(
        case_id=case.id,
        audit_id=audit.id if audit is not None else None,
        owner=owner or make_user("social_worker"),
        description=fields.pop("description", "Update the chronology"),
        due_on=due_on,
        **fields,
    )
    db.session.add(action)
    db.session.commit()
    return action


def make_submitted_audit(
    *,
    grade: int = 3,
    sections: dict | None = None,
    case=None,
    auditor=None,
    month: str = "2026-11",
    submitted_at=None,
    toolkit_version=None,
):
    """A submitted audit with its section grade rows (the minimal toolkit's three sections).

    *sections* maps section key to grade (None: not applicable); each defaults to *grade*.
    """
    from datetime import datetime  # noqa: PLC0415

    from qa_app.models import AuditSectionGrade  # noqa: PLC0415

    version = toolkit_version or _shared_toolkit_version()
    assignment = make_assignment(case=case, auditor=auditor, month=month, status="completed")
    keys = [s.key for s in version.definition.sections]
    given = dict.fromkeys(keys, grade) | (sections or {})
    audit = make_audit(
        assignment=assignment,
        toolkit_version=version,
        status="submitted",
        overall_grade=grade,
        suggested_grade=grade,
        submitted_at=submitted_at or datetime(int(month[:4]), int(month[5:]), 20, 10, 0),
    )
    for key in keys:
        db.session.add(
            AuditSectionGrade(
                audit_id=audit.id,
                section_key=key,
                grade=given[key],
                not_applicable=given[key] is None,
            )
        )
    db.session.commit()
    return audit


def _shared_toolkit_version():
    """The minimal toolkit's version, loaded once per test database."""
    from sqlalchemy import select  # noqa: PLC0415

    from qa_app.models import ToolkitVersion  # noqa: PLC0415

    version = db.session.scalar(select(ToolkitVersion).order_by(ToolkitVersion.id).limit(1))
    return version or make_toolkit_version()
