"""The report's agreement and escalation figures come from the moderation records, scoped
like every other figure, and reach the tables the page, the PDF and the workbook share."""

from datetime import date, datetime
from io import BytesIO

import pytest
from openpyxl import load_workbook

from qa_app.extensions import db
from qa_app.models import EscalationTrigger, Moderation, Tier3Review
from qa_app.services.moderation import agreement
from qa_app.services.reports.files import xlsx_bytes
from qa_app.services.reports.scope import COUNCIL, ReportScope
from qa_app.services.reports.tables import report_data, report_tables
from tests.support.factories import CaseFactory, LocalityFactory, TeamFactory, make_submitted_audit

MONTH = "2026-10"
AS_OF = date(2026, 11, 23)


def _moderate(audit, blind):
    db.session.add(
        Moderation(
            audit_id=audit.id,
            reason="random",
            status="compared",
            due_on=date(2026, 11, 10),
            blind_overall_grade=blind,
            blind_at=datetime(2026, 10, 28),
        )
    )


def _trigger(kind, key, *, audit=None, team=None, fired=datetime(2026, 10, 21), review=None):
    trigger = EscalationTrigger(
        kind=kind,
        key=key,
        fired_at=fired,
        audit_id=audit.id if audit else None,
        case_id=audit.case_id if audit else None,
        team_id=team.id if team else None,
        month=MONTH,
    )
    db.session.add(trigger)
    db.session.flush()
    if review:
        status, due_on = review
        db.session.add(
            Tier3Review(
                trigger_id=trigger.id,
                reviewer_role="head_of_service",
                status=status,
                due_on=due_on,
                completed_at=datetime(2026, 11, 1) if status == "completed" else None,
            )
        )


@pytest.fixture
def world(app_ctx):
    north, south = LocalityFactory(name="North"), LocalityFactory(name="South")
    north_team, south_team = TeamFactory(locality=north), TeamFactory(locality=south)
    pairs = {"north": [(2, 3), (3, 3), (3, 3), (1, 2)], "south": [(4, 4), (3, 2)]}
    audits = {}
    for name, team in (("north", north_team), ("south", south_team)):
        audits[name] = []
        for grade, blind in pairs[name]:
            audit = make_submitted_audit(grade=grade, case=CaseFactory(team=team), month=MONTH)
            _moderate(audit, blind)
            audits[name].append(audit)
    # Another month's moderation is not this report's.
    _moderate(make_submitted_audit(grade=1, case=CaseFactory(team=north_team), month="2026-09"), 4)
    north_inadequate = audits["north"][3]
    _trigger(
        "inadequate_audit",
        f"inadequate_audit:{north_inadequate.id}",
        audit=north_inadequate,
        review=("open", date(2026, 11, 4)),  # overdue on AS_OF
    )
    _trigger(
        "repeat_inadequate",
        f"repeat_inadequate:{north_inadequate.id}",
        audit=north_inadequate,
        review=("completed", date(2026, 11, 4)),
    )
    _trigger("team_month", f"team_month:{south_team.id}:{MONTH}", team=south_team)
    _trigger(
        "inadequate_audit",
        f"inadequate_audit:{audits['south'][0].id}",
        audit=audits["south"][0],
        fired=datetime(2026, 9, 30, 23, 0),  # the month before
        review=("open", date(2026, 12, 1)),
    )
    db.session.commit()
    return {"north": north, "south": south, "pairs": pairs}


def test_agreement_is_the_moderation_features_figure_for_the_month_and_scope(world):
    data = report_data(MONTH, COUNCIL, as_of=AS_OF)
    assert data["agreement"] == agreement.figures(world["pairs"]["north"] + world["pairs"]["south"])
    assert data["agreement"]["pairs"] == 6
    north = ReportScope("locality", world["north"].id, "North")
    north_data = report_data(MONTH, north, as_of=AS_OF)
    assert north_data["agreement"] == agreement.figures(world["pairs"]["north"])
    assert north_data["agreement"]["optimism_index"] == -0.5  # (-1 + 0 + 0 - 1) / 4


def test_the_report_flags_few_pairs_by_the_councils_small_n(world):
    # Six pairs: flagged under the default of 10, not when the council sets QA_AGREEMENT_SMALL_N=5.
    assert report_data(MONTH, COUNCIL, as_of=AS_OF)["agreement"]["small_n"] is True
    assert report_data(MONTH, COUNCIL, as_of=AS_OF, small_n=5)["agreement"]["small_n"] is False


def test_escalations_count_triggers_fired_in_the_month_with_their_reviews(world):
    esc = report_data(MONTH, COUNCIL, as_of=AS_OF)["escalations"]
    by_kind = {row["kind"]: row for row in esc["by_kind"]}
    assert by_kind["inadequate_audit"] | {"label": None} == {
        "kind": "inadequate_audit",
        "label": None,
        "triggers": 1,
        "reviews": 1,
        "completed": 0,
        "overdue": 1,
    }
    assert (by_kind["repeat_inadequate"]["reviews"], by_kind["repeat_inadequate"]["completed"]) == (
        1,
        1,
    )
    assert by_kind["team_month"]["triggers"] == 1 and by_kind["team_month"]["reviews"] == 0
    assert (esc["triggers"], esc["reviews"], esc["completed"], esc["overdue"]) == (3, 2, 1, 1)
    # Scope: the case's team for audit triggers, the trigger's own team for team triggers.
    south = ReportScope("locality", world["south"].id, "South")
    south_esc = report_data(MONTH, south, as_of=AS_OF)["escalations"]
    assert [row["kind"] for row in south_esc["by_kind"]] == ["team_month"]


def test_the_workbook_has_the_agreement_and_escalation_sheets(world):
    data = report_data(MONTH, COUNCIL, as_of=AS_OF)
    tables = {t.key: t for t in report_tables(data)}
    assert tables["agreement"].rows[0][1:4] == [6, 50.0, 100.0]
    book = load_workbook(BytesIO(xlsx_bytes(data)))
    sheet = book["agreement"]
    assert sheet["C2"].value == "Exact agreement (%)"
    assert (sheet["B3"].value, sheet["C3"].value) == (6, 50.0)
    assert sheet["E3"].value == round(data["agreement"]["kappa_quadratic"], 2)
    assert sheet["E3"].number_format == "0.00"
    fired = {row[0].value: row[1].value for row in book["escalations"].iter_rows(min_row=3)}
    assert sum(v for v in fired.values() if isinstance(v, int)) == 3


def test_a_trigger_fired_on_the_first_of_the_next_month_belongs_to_that_month(world):
    from qa_app.services.reports.moderation import escalation_figures  # noqa: PLC0415

    audit = make_submitted_audit(grade=4, case=CaseFactory(), month=MONTH)
    _trigger("inadequate_audit", f"inadequate_audit:{audit.id}", audit=audit,
             fired=datetime(2026, 11, 1, 10, 0))  # fmt: skip
    db.session.commit()
    assert escalation_figures(MONTH, COUNCIL, as_of=AS_OF)["triggers"] == 3
    assert escalation_figures("2026-11", COUNCIL, as_of=AS_OF)["triggers"] == 1
