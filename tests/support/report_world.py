"""Generated report data for tests: rows in the database AND the same facts as plain records,
so every report figure can be checked against an independent pure-Python computation."""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from hypothesis import strategies as st

from qa_app.extensions import db
from qa_app.models import (
    Action,
    Assignment,
    Audit,
    AuditComplianceAnswer,
    AuditCycle,
    AuditSectionGrade,
    SampleItem,
)
from qa_app.models.toolkit_definition import REPORTED_COMPLIANCE
from tests.support.factories import CaseFactory, LocalityFactory, TeamFactory, make_user

SECTIONS = ("assessment", "planning", "strategy_discussions")
QUESTIONS = tuple(REPORTED_COMPLIANCE)
MONTHS = ("2026-08", "2026-09", "2026-10")


@dataclass
class Spec:
    """One sampled case of a month as the test sees it."""

    month: str
    team: int  # index into World.teams
    cohort: str
    selection: str
    completed: bool
    late: bool
    grade: int
    moderated: int | None
    sections: tuple  # grade or None per SECTIONS
    answers: tuple  # "yes" | "no" | "na" per QUESTIONS


@dataclass
class World:
    teams: list = field(default_factory=list)  # Team rows: 0, 1 in locality A; 2 in B
    auditor: object = None
    owner: object = None
    version: object = None


def spec_strategy(months=MONTHS):
    grade = st.integers(1, 4)
    return st.builds(
        Spec,
        month=st.sampled_from(months),
        team=st.integers(0, 2),
        cohort=st.sampled_from(("cin", "cp")),
        selection=st.sampled_from(("random", "random", "thematic")),
        completed=st.booleans() | st.just(True),
        late=st.booleans(),
        grade=grade,
        moderated=st.none() | grade,
        sections=st.tuples(grade, grade, st.none() | grade),
        answers=st.tuples(*(st.sampled_from(("yes", "no", "na")) for _ in QUESTIONS)),
    )


def make_world(version) -> World:
    north, south = LocalityFactory(name="North"), LocalityFactory(name="South")
    teams = [
        TeamFactory(name="North A", locality=north),
        TeamFactory(name="North B", locality=north),
        TeamFactory(name="South A", locality=south),
    ]
    auditor = make_user("advanced_practitioner", name="Ann Auditor")
    owner = make_user("social_worker", name="Sam Worker")
    return World(teams=teams, auditor=auditor, owner=owner, version=version)


def clear() -> None:
    for model in (
        Action,
        AuditComplianceAnswer,
        AuditSectionGrade,
        Audit,
        Assignment,
        SampleItem,
        AuditCycle,
    ):
        db.session.query(model).delete()
    db.session.commit()


def due_of(month: str) -> date:
    year, mon = map(int, month.split("-"))
    return date(year, mon, 28)


def load(world: World, specs: list[Spec]) -> None:
    """Write *specs* as cycles, sample items, assignments, audits and one action per audit."""
    cycles = {}
    for spec in specs:
        if spec.month not in cycles:
            year, mon = map(int, spec.month.split("-"))
            cycles[spec.month] = AuditCycle(
                month=spec.month, reference_date=date(year, mon, 1), seed=1, status="published"
            )
            db.session.add(cycles[spec.month])
        team = world.teams[spec.team]
        case = CaseFactory(team=team, cohort=spec.cohort)
        item = SampleItem(
            cycle=cycles[spec.month],
            case_id=case.id,
            team_id=team.id,
            cohort=spec.cohort,
            selection=spec.selection,
        )
        due = due_of(spec.month)
        done = due + timedelta(days=2) if spec.late else due - timedelta(days=3)
        assignment = Assignment(
            item=item,
            auditor=world.auditor,
            due_on=due,
            status="completed" if spec.completed else "assigned",
            completed_on=done if spec.completed else None,
        )
        db.session.add(assignment)
        if not spec.completed:
            continue
        audit = Audit(
            assignment=assignment,
            case_id=case.id,
            auditor_id=world.auditor.id,
            toolkit_version=world.version,
            status="submitted",
            overall_grade=spec.grade,
            suggested_grade=spec.grade,
            moderated_grade=spec.moderated,
            submitted_at=datetime.combine(done, datetime.min.time()),
        )
        db.session.add(audit)
        for key, grade in zip(SECTIONS, spec.sections, strict=True):
            audit.section_grades.append(
                AuditSectionGrade(section_key=key, grade=grade, not_applicable=grade is None)
            )
        for key, answer in zip(QUESTIONS, spec.answers, strict=True):
            audit.compliance_answers.append(AuditComplianceAnswer(question_key=key, answer=answer))
        db.session.flush()
        db.session.add(
            Action(
                audit_id=audit.id,
                case_id=case.id,
                owner_id=world.owner.id,
                description="Update the chronology",
                raised_at=datetime.combine(done, datetime.min.time()),
                due_on=done + timedelta(days=20),
                status="verified" if spec.grade == 2 else "open",
                completed_at=datetime.combine(done + timedelta(days=5), datetime.min.time())
                if spec.grade == 2
                else None,
                verified_at=datetime.combine(done + timedelta(days=6), datetime.min.time())
                if spec.grade == 2
                else None,
                effectiveness="yes" if spec.grade == 2 else None,
            )
        )
    db.session.commit()
