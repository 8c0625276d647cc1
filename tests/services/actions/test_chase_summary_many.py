"""``counts_many`` (the daily job's grouped counts) agrees with ``counts`` (one person at a
time, scope checked) for everyone the chase told: owners, line managers covering an absent
owner, heads of service, the DCS and the PSW, after reassignments, completions and due-date
changes, on each day of the ladder."""

from datetime import date, datetime

from sqlalchemy import select

from qa_app.extensions import db
from qa_app.models import Absence, ChaseNotice, User
from qa_app.services.actions import lifecycle as life
from qa_app.services.actions.chase import run_chase
from qa_app.services.actions.chase_summary import counts, counts_many
from tests.support.factories import make_user
from tests.support.org import make_org, org_action

URL = "http://qa.test"
DUE = date(2026, 12, 21)
DAYS = [date(2026, 12, 14), DUE, date(2026, 12, 22), date(2027, 1, 7), date(2027, 1, 21)]


def agree(day: date) -> dict:
    told = set(db.session.scalars(select(ChaseNotice.user_id).distinct()))
    many = counts_many(told, day)
    one = {uid: counts(db.session.get(User, uid), day) for uid in told}
    assert many == one
    return many


def test_grouped_counts_agree_with_counting_one_person_at_a_time(app_ctx):
    org, other = make_org(), make_org()
    spare = make_user("social_worker", team=org.team, line_manager=org.manager)
    mine = [org_action(org, due_on=DUE, audited=i % 2 == 0) for i in range(6)]
    theirs = [org_action(other, due_on=DUE) for _ in range(3)]
    db.session.add(Absence(user_id=other.worker.id, starts_on=date(2026, 12, 10), ends_on=DUE))
    db.session.commit()
    counted = []
    for number, day in enumerate(DAYS):
        run_chase(day, now=datetime.combine(day, datetime.min.time()).replace(hour=7), base_url=URL)
        db.session.commit()
        if number == 1:  # one reassigned (off its old owner's list), one moved (off everyone's)
            life.reassign(mine[0], by=org.manager, now=datetime(2026, 12, 21, 9),
                          owner_id=spare.id, expected_version=1, base_url=URL)  # fmt: skip
            life.change_due_date(mine[1], by=org.manager, now=datetime(2026, 12, 21, 9),
                                 due_on=date(2027, 2, 1), reason="Moved", expected_version=1,
                                 today=day)  # fmt: skip
            db.session.commit()
        counted.append(agree(day))
    # The ladder reached every rung: the people told include the senior ones.
    assert {org.head.id, org.dcs.id, org.psw.id, other.manager.id} <= set(counted[-1])
    # The PSW's: every overdue action but the moved one (its new due date is not reached).
    assert counted[-1][org.psw.id].total == len(mine) - 1 + len(theirs)
    assert counted[-1][org.worker.id].total == len(mine) - 2
