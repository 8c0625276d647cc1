"""The demo moderation history, over factory-made submitted audits."""

import random
from datetime import date, datetime

from sqlalchemy import func, select

from qa_app.demo.moderation_history import seed_moderation_history
from qa_app.extensions import db
from qa_app.models import (
    Audit,
    EscalationTrigger,
    Moderation,
    ModerationSectionGrade,
    Tier3Review,
)
from qa_app.services.moderation.agreement import agreement
from tests.support.factories import (
    CaseFactory,
    LocalityFactory,
    TeamFactory,
    make_submitted_audit,
    make_user,
)


def test_nothing_to_do_without_submitted_audits(app_ctx):
    result = seed_moderation_history(today=date(2026, 11, 23), rng=random.Random(1))
    assert result == {"moderations": 0, "disputes": 0, "tier3_reviews": 0}


def test_history_follows_the_rules_and_shows_generous_auditors(app_ctx):
    north = LocalityFactory(name="North")
    teams = [TeamFactory(locality=north) for _ in range(3)]
    make_user("head_of_service", locality=north)
    make_user("dcs")
    for _ in range(2):
        make_user("independent_auditor")
    make_user("senior_manager", team=teams[0])  # never moderates team 0's cases
    generous, fair = make_user("team_manager"), make_user("team_manager")
    rng = random.Random(3)
    for index in range(60):
        month = f"2026-{7 + index % 4:02d}"
        auditor = generous if index % 2 else fair
        grade = rng.choice([2, 2, 3]) if auditor is generous else rng.choice([1, 3, 3, 3, 4])
        make_submitted_audit(
            grade=grade,
            auditor=auditor,
            case=CaseFactory(team=teams[index % 3]),
            month=month,
            submitted_at=datetime(2026, 7 + index % 4, 10 + index % 15, 10),
        )
    result = seed_moderation_history(today=date(2026, 11, 23), rng=random.Random(9))
    db.session.commit()
    assert result["moderations"] > 0
    # Every Inadequate and Outstanding audit is moderated.
    must = set(db.session.scalars(select(Audit.id).where(Audit.overall_grade.in_((1, 4)))))
    moderated = set(db.session.scalars(select(Moderation.audit_id)))
    assert must <= moderated
    # Hard rules: never the auditor, never the case's own team.
    for moderation in db.session.scalars(select(Moderation)):
        assert moderation.moderator_id != moderation.audit.auditor_id
        assert moderation.moderator is None or moderation.moderator.team_id != (
            moderation.audit.case.team_id
        )
    done = db.session.scalars(select(Moderation).where(Moderation.status == "completed")).all()
    assert all(m.audit.moderated_grade is not None for m in done)
    assert db.session.scalar(select(func.count()).select_from(ModerationSectionGrade)) > 0
    # Each Inadequate audit has its tier 3 review, once.
    keys = list(db.session.scalars(select(EscalationTrigger.key)))
    assert len(keys) == len(set(keys))
    assert db.session.scalar(select(func.count()).select_from(Tier3Review)) == len(keys)
    figures = {row["auditor_id"]: row for row in agreement("2026-07", "2026-10")["by_auditor"]}
    assert figures[generous.id]["optimism_index"] < figures[fair.id]["optimism_index"]
    # Running again adds nothing.
    again = seed_moderation_history(today=date(2026, 11, 23), rng=random.Random(9))
    assert again == {"moderations": 0, "disputes": 0, "tier3_reviews": 0}
