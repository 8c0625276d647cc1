"""The agreement dashboard: figures as tables and accessible SVG charts, no inline styles."""

import re
from datetime import date, datetime

from qa_app.extensions import db
from qa_app.models import Moderation, ModerationSectionGrade
from tests.support.factories import make_submitted_audit, make_user


def _moderated(auditor, grade, blind, month):
    audit = make_submitted_audit(grade=grade, auditor=auditor, month=month)
    db.session.add(
        Moderation(
            audit_id=audit.id,
            reason="random",
            status="compared",
            due_on=date(2026, 12, 7),
            blind_overall_grade=blind,
            blind_at=datetime(2026, 11, 25),
            sections=[ModerationSectionGrade(section_key="planning", blind_grade=blind)],
        )
    )
    db.session.commit()


def test_dashboard_shows_auditors_sections_and_months(app_ctx, client, auth):
    generous = make_user("team_manager", name="Gen Erous")
    for month in ("2026-10", "2026-11"):
        _moderated(generous, 2, 3, month)
        _moderated(generous, 3, 3, month)
    auth.login(make_user("psw"))
    page = client.get("/agreement/?from=2026-10&to=2026-11")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert html.count("<svg") == 3
    for title in re.findall(r'aria-labelledby="([^"]+)"', html):
        for ref in title.split():
            assert f'id="{ref}"' in html
    assert "Optimism index by auditor, 2026-10 to 2026-11" in html
    # The table carries the same figure as the chart: 4 pairs, half generous by one grade.
    assert re.search(r"Gen Erous.*?Few pairs.*?>4<.*?50%.*?-0\.50", html, re.S)
    assert "Planning" in html  # the section title from the toolkit, not its key
    # Over months: each of the two months has the auditor's 2 pairs, one generous by a grade.
    assert html.count("-0.50 (2)") == 2
    assert "style=" not in html and "<script>" not in html


def test_bad_month_is_named_and_the_default_range_shown(app_ctx, client, auth):
    auth.login(make_user("qa_admin"))
    page = client.get("/agreement/?from=2026-13&to=2026-11")
    assert page.status_code == 400
    assert "Month &#39;2026-13&#39; is not in the form YYYY-MM" in page.get_data(as_text=True)
