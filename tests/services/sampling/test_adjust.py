"""Changes by hand after publication: the auditors concerned are told by the service itself."""

from datetime import datetime

import pytest
from sqlalchemy import func, select

from qa_app.extensions import db
from qa_app.models import Notification, SampleItem
from qa_app.services.sampling import adjust
from qa_app.services.sampling.draw import SamplingError
from tests.support.cycles import published_cycle
from tests.support.factories import CaseFactory

NOW = datetime(2026, 11, 9, 10)


def test_a_case_added_after_publication_is_allocated_and_its_auditor_told(app_ctx):
    items = published_cycle()
    cycle = items[0].cycle
    late = CaseFactory(team=items[0].case.team, worker=items[0].case.worker, cohort="cin")
    db.session.commit()
    item = adjust.add_child(
        cycle, late.child.la_child_id, by=None, now=NOW, base_url="http://x", note="Theme"
    )
    db.session.commit()
    assert item.selection == "thematic" and item.assignment.status == "assigned"
    subjects = db.session.scalars(
        select(Notification.subject).where(
            Notification.user_id == item.assignment.auditor_id,
            Notification.kind == "audit_assigned",
        )
    ).all()
    assert subjects == [f"Child {late.child.la_child_id} has been allocated to you for audit"]


def test_a_child_with_no_open_case_is_refused_with_the_date(app_ctx):
    items = published_cycle()
    with pytest.raises(SamplingError, match="No case of child NOPE is open on 1 November 2026"):
        adjust.add_child(items[0].cycle, "NOPE", by=None, now=NOW, base_url="http://x")
    db.session.rollback()
    assert db.session.scalar(select(func.count(SampleItem.id))) == len(items)
