"""Recording accuracy: audited children's compliance answers against the extract's dates."""

from datetime import date

from sqlalchemy import select

from qa_app.extensions import db
from qa_app.models import AuditComplianceAnswer, Case, Child
from qa_app.services.performance import figures, pages, triangulation
from qa_app.services.reports.scope import COUNCIL
from tests.support.factories import make_assignment, make_audit
from tests.support.importing import do_import, sample

MONTH = "2021-03"


def _audit(case: Case, answers: dict[str, str]):
    audit = make_audit(assignment=make_assignment(case=case, month=MONTH), status="submitted",
                       overall_grade=2)  # fmt: skip
    for key, answer in answers.items():
        db.session.add(AuditComplianceAnswer(audit_id=audit.id, question_key=key, answer=answer))
    db.session.commit()
    return audit


def _case_of(la_child_id: str) -> Case:
    return db.session.scalar(select(Case).join(Child).where(Child.la_child_id == la_child_id))


def test_answers_are_compared_with_the_extract_per_team(app_ctx):
    do_import([sample("Annex_A.xlsx")], date(2021, 3, 31))
    held = figures.children("cp_visits_in_timescale", MONTH)
    alone = {r["child_id"]: r["counted"] for r in figures.children("cp_seen_alone", MONTH)}
    assert held and alone
    first, second = held[0], held[1] if len(held) > 1 else held[0]
    # The first auditor agrees with the extract on both; the second contradicts it on visits.
    agree_first = "yes" if first["counted"] else "no"
    _audit(_case_of(first["child_id"]), {
        "visits_in_timescale": agree_first,
        **({"seen_alone_last_visit": "yes" if alone[first["child_id"]] else "no"}
           if first["child_id"] in alone else {}),
    })  # fmt: skip
    _audit(
        _case_of(second["child_id"]),
        {
            "visits_in_timescale": "no" if second["counted"] else "yes",
            "seen_alone_last_visit": "na",  # not applicable: not compared
        },
    )
    result = triangulation.recording_accuracy(MONTH, COUNCIL)
    total = result["total"]
    visits = total["questions"]["visits_in_timescale"]
    assert visits == {"compared": 2, "agreed": 1}
    seen = total["questions"].get("seen_alone_last_visit", {"compared": 0, "agreed": 0})
    assert seen["compared"] == seen["agreed"] == (1 if first["child_id"] in alone else 0)
    assert total["compared"] == 2 + seen["compared"]
    assert total["value"] == round(100 * total["agreed"] / total["compared"], 1)
    assert sum(t["compared"] for t in result["teams"]) == total["compared"]
    # A month with no import to compare with says why.
    empty = triangulation.recording_accuracy("2021-05", COUNCIL)
    assert empty["total"]["compared"] == 0 and "No import" in empty["reason"]


def test_the_teams_section_puts_grades_beside_indicators(app_ctx):
    do_import([sample("Annex_A.xlsx")], date(2021, 3, 31))
    teams = {t["name"]: t for t in pages.teams(MONTH, COUNCIL)}
    leavers = figures.breakdown("average_caseload", MONTH)["teams"]
    assert {row["name"] for row in leavers} <= set(teams)
    some = next(iter(teams.values()))
    assert set(some["values"]) <= set(pages.TEAM_KEYS)
