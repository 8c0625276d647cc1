"""``qa sample reassign`` and ``swap``: the allocation rules apply, and once the allocation is
published the auditors concerned are told, as they are from the cycle's pages."""

import itertools

import pytest
from sqlalchemy import select

from qa_app.extensions import db
from qa_app.models import Assignment, Notification, SampleItem
from qa_app.services.sampling import allocation
from tests.support.cycles import published_cycle


@pytest.fixture
def published(app_ctx):
    return published_cycle("2026-11")


def told(user, kind):
    return db.session.scalars(
        select(Notification.subject).where(
            Notification.user_id == user.id, Notification.kind == kind
        )
    ).all()


def test_reassign_from_the_command_line_tells_both_auditors(runner, published):
    item = published[0]
    before = item.assignment.auditor
    other = next(c.user for c in allocation.candidates(item) if c.allowed)
    child = item.case.child.la_child_id
    result = runner.invoke(
        args=["sample", "reassign", "--month", "2026-11", "--child", child, "--to", other.email]
    )
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert db.session.get(SampleItem, item.id).assignment.auditor_id == other.id
    case = f"Child {child}"
    assert told(other, "audit_assigned") == [f"{case} has been allocated to you for audit"]
    assert told(before, "audit_reassigned") == [f"{case} has been given to another auditor"]


def test_reassign_refusals_are_explained_and_change_nothing(runner, published):
    item = published[0]
    own_tm = next(
        u
        for u in allocation.auditor_pool(item.cycle).users.values()
        if u.team_id == item.case.team_id and "team_manager" in u.roles
    )
    child = item.case.child.la_child_id
    for to, message in [
        (own_tm.email, "cannot audit this case: the case is in their own team"),
        ("nobody@council.test", "No user with the email nobody@council.test"),
    ]:
        result = runner.invoke(
            args=["sample", "reassign", "--month", "2026-11", "--child", child, "--to", to]
        )
        assert result.exit_code == 2 and message in result.output
    db.session.expire_all()
    assert db.session.get(SampleItem, item.id).assignment.auditor_id != own_tm.id
    assert db.session.scalars(select(Notification.kind)).all().count("audit_assigned") == 0


def test_swap_from_the_command_line_tells_both_auditors(runner, published):
    # Two cases of one team with different auditors: each auditor may audit the other's case.
    first, second = next(
        (a, b)
        for a, b in itertools.combinations(published, 2)
        if a.case.team_id == b.case.team_id and a.assignment.auditor_id != b.assignment.auditor_id
    )
    one, two = first.assignment.auditor, second.assignment.auditor
    result = runner.invoke(
        args=[
            "sample",
            "swap",
            "--month",
            "2026-11",
            "--child",
            first.case.child.la_child_id,
            "--with",
            second.case.child.la_child_id,
        ]
    )
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    auditors = {
        a.sample_item_id: a.auditor_id
        for a in db.session.scalars(select(Assignment))
        if a.sample_item_id in (first.id, second.id)
    }
    assert auditors == {first.id: two.id, second.id: one.id}
    assert told(one, "audit_assigned") == [
        f"{second.case.reference} has been allocated to you for audit"
    ]
    assert told(two, "audit_assigned") == [
        f"{first.case.reference} has been allocated to you for audit"
    ]
    assert told(one, "audit_reassigned") == [
        f"{first.case.reference} has been given to another auditor"
    ]
    assert told(two, "audit_reassigned") == [
        f"{second.case.reference} has been given to another auditor"
    ]


def test_swap_with_a_child_outside_the_sample_is_refused(runner, published):
    child = published[0].case.child.la_child_id
    result = runner.invoke(
        args=["sample", "swap", "--month", "2026-11", "--child", child, "--with", "NOPE"]
    )
    assert result.exit_code == 2 and "Child NOPE has no case in the 2026-11 sample" in result.output
