"""Triangulation: what the auditors answered beside what the extracts' dates say, and each
team's audit grades beside its indicators (docs/indicators.md#triangulation).

For each child audited in the month (a submitted audit in the scope, its team the sample's),
the auditor's compliance answer is compared with the extract's record at the month's snapshot
date D: ``visits_in_timescale`` with the CP plan's last statutory visit within the council's
timescale (``cp_visits_in_timescale``), ``seen_alone_last_visit`` with the child seen alone at
the last visit (``cp_seen_alone``). Only yes/no answers of children whose CP plan the extract
holds at D are compared. The share that agree is the team's recording-accuracy figure.
"""

from sqlalchemy import and_, case, func, select

from qa_app.extensions import db
from qa_app.models import Audit, AuditComplianceAnswer, Case, SampleItem, Team
from qa_app.services.performance import figures
from qa_app.services.performance.indicators import Settings
from qa_app.services.reports import figures as report_figures
from qa_app.services.reports.scope import COUNCIL, ReportScope

COMPARED = {
    "visits_in_timescale": "cp_visits_in_timescale",
    "seen_alone_last_visit": "cp_seen_alone",
}
QUESTIONS = {
    "visits_in_timescale": "Statutory visits in timescale",
    "seen_alone_last_visit": "Child seen alone at the last visit",
}


def _per_child(records):
    """One row per child held at D: whether any of their open CP plans meets the measure."""
    return (
        select(records.c.child_id, func.max(records.c.num).label("num"))
        .where(records.c.den > 0)
        .group_by(records.c.child_id)
        .subquery()
    )


def recording_accuracy(
    month: str, scope: ReportScope = COUNCIL, *, settings: Settings | None = None
) -> dict:
    """``{"teams": [{team_id, team, compared, agreed, value, questions: {question: {compared,
    agreed}}}], "total": {...}, "reason"}`` for the audits of *month* in *scope*; ``value`` is
    agreed / compared x 100 (None when nothing could be compared)."""
    teams: dict[int | None, dict] = {}
    reasons = []
    for question, key in COMPARED.items():
        records, as_of = figures.records_for(key, month, settings=settings)
        if records is None:
            reasons.append(as_of)
            continue
        held = _per_child(records)
        answer = AuditComplianceAnswer.answer
        agree = case(
            (and_(answer == "yes", held.c.num > 0), 1),
            (and_(answer == "no", held.c.num == 0), 1),
            else_=0,
        )
        query = (
            report_figures.submitted_audits(month, scope)
            .join(Case, Case.id == SampleItem.case_id)
            .join(AuditComplianceAnswer, AuditComplianceAnswer.audit_id == Audit.id)
            .join(held, held.c.child_id == Case.child_id)
            .where(
                AuditComplianceAnswer.question_key == question,
                AuditComplianceAnswer.answer.in_(("yes", "no")),
            )
            .add_columns(SampleItem.team_id, func.count(), func.sum(agree))
            .group_by(SampleItem.team_id)
        )
        for team_id, compared, agreed in db.session.execute(query):
            row = teams.setdefault(team_id, {"team_id": team_id, "questions": {}})
            row["questions"][question] = {"compared": compared, "agreed": int(agreed or 0)}
    names = dict(db.session.execute(select(Team.id, Team.name)).all())
    rows = [_total(row, names.get(row["team_id"], "No team")) for row in teams.values()]
    rows.sort(key=lambda r: r["team"])
    whole = _total({"team_id": None, "questions": _sum_questions(rows)}, "All audited children")
    return {"teams": rows, "total": whole, "reason": "; ".join(reasons) or None}


def _sum_questions(rows: list[dict]) -> dict:
    out: dict[str, dict] = {}
    for row in rows:
        for question, counts in row["questions"].items():
            into = out.setdefault(question, {"compared": 0, "agreed": 0})
            into["compared"] += counts["compared"]
            into["agreed"] += counts["agreed"]
    return out


def _total(row: dict, name: str) -> dict:
    compared = sum(q["compared"] for q in row["questions"].values())
    agreed = sum(q["agreed"] for q in row["questions"].values())
    value = round(100 * agreed / compared, 1) if compared else None
    return {**row, "team": name, "compared": compared, "agreed": agreed, "value": value}
