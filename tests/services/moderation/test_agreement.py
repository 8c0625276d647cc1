"""Agreement statistics: against a hand-computed example, against statsmodels on generated
pairs, and from moderations in the database."""

import math
from datetime import datetime

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from statsmodels.stats.inter_rater import cohens_kappa

from qa_app.extensions import db
from qa_app.models import Moderation, ModerationSectionGrade
from qa_app.services.moderation.agreement import agreement, figures
from tests.support.factories import (
    CaseFactory,
    LocalityFactory,
    TeamFactory,
    make_submitted_audit,
    make_user,
)


def test_hand_computed_example():
    # Table [[1,0,0,0],[0,1,1,0],[0,1,1,0],[0,0,0,1]]: weighted observed disagreement
    # (1/9 + 1/9) / 6 = 1/27; expected 2 * var(codes) / 9 = 2 * (11/12) / 9 = 11/54;
    # kappa = 1 - (1/27) / (11/54) = 9/11.
    pairs = [(1, 1), (2, 2), (2, 3), (3, 2), (3, 3), (4, 4)]
    result = figures(pairs)
    assert math.isclose(result["kappa_quadratic"], 9 / 11)
    assert result["exact_agreement"] == 4 / 6
    assert result["within_one"] == 1.0
    assert result["optimism_index"] == 0.0
    low, high = result["kappa_ci"]
    assert low < 9 / 11 < high
    assert result["small_n"] is True and result["pairs"] == 6


def test_optimism_is_negative_when_auditors_are_generous():
    generous = [(2, 3)] * 8 + [(3, 3)] * 4
    assert figures(generous)["optimism_index"] == -8 / 12


def test_empty_and_degenerate():
    assert figures([])["kappa_quadratic"] is None
    same = figures([(3, 3)] * 12)
    assert same["kappa_quadratic"] is None and same["exact_agreement"] == 1.0
    assert same["small_n"] is False


@settings(max_examples=50, deadline=None)
@given(st.lists(st.tuples(st.integers(1, 4), st.integers(1, 4)), min_size=2, max_size=200))
def test_kappa_matches_statsmodels(pairs):
    table = np.zeros((4, 4))
    for a, m in pairs:
        table[a - 1, m - 1] += 1
    with np.errstate(all="ignore"):
        expected = cohens_kappa(table, wt="quadratic")
    result = figures(pairs)
    if not math.isfinite(expected["kappa"]):
        assert result["kappa_quadratic"] is None
        return
    assert math.isclose(result["kappa_quadratic"], expected["kappa"], abs_tol=1e-12)
    if not math.isfinite(expected["kappa_low"]) or expected["std_kappa"] <= 0:
        assert result["kappa_ci"] == [None, None]
        return
    assert math.isclose(result["kappa_ci"][0], expected["kappa_low"], abs_tol=1e-12)
    assert math.isclose(result["kappa_ci"][1], expected["kappa_upp"], abs_tol=1e-12)
    # The interval is kappa +/- 1.96 standard errors.
    assert math.isclose(
        result["kappa_ci"][1] - result["kappa_quadratic"],
        1.959963984540054 * expected["std_kappa"],
        rel_tol=1e-9,
        abs_tol=1e-12,
    )


def _moderate(audit, blind_overall, blind_sections):
    moderation = Moderation(
        audit_id=audit.id,
        reason="random",
        status="compared",
        due_on=datetime(2026, 12, 1).date(),
        blind_overall_grade=blind_overall,
        blind_at=datetime(2026, 11, 25),
        sections=[
            ModerationSectionGrade(section_key=key, blind_grade=grade)
            for key, grade in blind_sections.items()
        ],
    )
    db.session.add(moderation)
    db.session.commit()


def test_breakdowns_from_the_database(app_ctx):
    north, east = LocalityFactory(name="North"), LocalityFactory(name="East")
    generous = make_user("team_manager", name="Gen Erous")
    strict = make_user("team_manager", name="Stri Ct")
    for month, auditor, locality, grade, blind in [
        ("2026-10", generous, north, 2, 3),
        ("2026-10", generous, north, 2, 3),
        ("2026-11", strict, east, 3, 3),
        ("2026-11", strict, east, 4, 4),
        ("2026-12", strict, east, 1, 1),  # outside the range asked for
    ]:
        audit = make_submitted_audit(
            grade=grade,
            sections={"strategy_discussions": None},
            auditor=auditor,
            case=CaseFactory(team=TeamFactory(locality=locality)),
            month=month,
        )
        _moderate(audit, blind, {"assessment": blind, "planning": grade, "strategy_discussions": 2})
    # A moderation whose blind grades are not in yet is not a pair.
    pending = make_submitted_audit(grade=2, auditor=strict, month="2026-11")
    db.session.add(
        Moderation(audit_id=pending.id, reason="random", due_on=datetime(2026, 12, 1).date())
    )
    db.session.commit()

    result = agreement("2026-10", "2026-11")
    assert result["overall"]["pairs"] == 4
    assert result["overall"]["exact_agreement"] == 0.5
    assert [m["month"] for m in result["by_month"]] == ["2026-10", "2026-11"]
    by_auditor = {row["name"]: row for row in result["by_auditor"]}
    assert by_auditor["Gen Erous"]["optimism_index"] == -1.0
    assert by_auditor["Gen Erous"]["pairs"] == 2 and by_auditor["Gen Erous"]["small_n"]
    assert by_auditor["Stri Ct"]["optimism_index"] == 0.0
    sections = {row["section"]: row for row in result["by_section"]}
    # Not applicable on the auditor's side: no pairs for that section.
    assert set(sections) == {"assessment", "planning"}
    assert sections["planning"]["exact_agreement"] == 1.0
    assert {row["name"]: row["pairs"] for row in result["by_locality"]} == {"East": 2, "North": 2}
    only_east = agreement("2026-10", "2026-11", locality_ids=[east.id])
    assert only_east["overall"]["pairs"] == 2
