"""The audit and action records the audit form, moderation and the tracker share."""

from datetime import date

import pytest
from sqlalchemy.exc import IntegrityError

from qa_app.extensions import db
from qa_app.models import Audit, AuditSectionGrade
from tests.support.factories import make_action, make_assignment, make_audit


def test_one_audit_per_assignment(app_ctx):
    audit = make_audit()
    db.session.add(
        Audit(
            assignment_id=audit.assignment_id,
            case_id=audit.case_id,
            auditor_id=audit.auditor_id,
            toolkit_version_id=audit.toolkit_version_id,
        )
    )
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_reported_grade_is_the_moderated_one_when_there_is_one(app_ctx):
    audit = make_audit(status="submitted", overall_grade=2)
    assert audit.reported_grade == 2
    audit.moderated_grade = 3
    assert audit.reported_grade == 3


def test_grades_outside_the_four_point_scale_are_refused(app_ctx):
    audit = make_audit()
    db.session.add(AuditSectionGrade(audit=audit, section_key="x", grade=5))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_overdue_is_derived_from_status_and_due_date(app_ctx):
    action = make_action(due_on=date(2026, 11, 20))
    assert action.is_overdue(date(2026, 11, 23))
    assert not action.is_overdue(date(2026, 11, 20))
    action.status = "completed"
    assert not action.is_overdue(date(2026, 11, 23))


def test_an_assignment_factory_reuses_the_month_cycle(app_ctx):
    first, second = make_assignment(), make_assignment()
    assert first.item.cycle_id == second.item.cycle_id
    assert first.due_on == date(2026, 11, 30)
