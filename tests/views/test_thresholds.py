"""The thresholds pages: everyone reads them; the PSW and the QA lead change bands (kept with
their history, past months keeping theirs) and comparators."""

import re

import pytest
from sqlalchemy import func, select

from qa_app.extensions import db
from qa_app.models import ThresholdChange, ThresholdComparator
from qa_app.services.performance import thresholds
from tests.support.factories import make_user
from tests.support.pages import nav_labels, page_text

KEY = "average_caseload.asye"


def _bands_post(**rows) -> dict:
    data = {
        "shape": "lower",
        "effective_from": "2026-11",
        "reason": "Board of 12 November 2026",
        "based_on": "0",
    }
    steps = rows.pop("steps", [("outstanding", "14", "below"), ("good", "18", "below"),
                               ("requires_improvement", "22", "up_to"), ("inadequate", "", "")])  # fmt: skip
    for i in range(1, 8):
        band, limit, edge = steps[i - 1] if i <= len(steps) else ("", "", "below")
        data[f"band_{i}"] = band
        if i < 7:
            data[f"limit_{i}"] = limit
            data[f"edge_{i}"] = edge or "below"
    return data | rows


@pytest.mark.clock("2026-11-25T10:00")
def test_psw_changes_bands_and_the_history_shows_old_new_who_and_why(client, auth, app_ctx):
    auth.login(make_user("psw", name="Pat Principal"))
    form = client.get(f"/thresholds/{KEY}/bands")
    assert re.search(r'name="limit_1"[^>]*value="16"', form.get_data(as_text=True))
    response = client.post(f"/thresholds/{KEY}/bands", data=_bands_post())
    assert response.status_code == 302
    text = page_text(client.get(f"/thresholds/{KEY}"))
    assert "Changed from November 2026 by Pat Principal: Board of 12 November 2026" in text
    assert "Outstanding: under 16; Good: 16 to under 20; Requires improvement: 20 to 25" in text
    assert "Outstanding: under 14; Good: 14 to under 18; Requires improvement: 18 to 22" in text
    # October keeps the board's old bands.
    october = page_text(client.get(f"/thresholds/{KEY}?month=2026-10"))
    assert "20 to 25 Requires improvement" in october
    assert thresholds.rate(KEY, 21, "2026-10") == "requires_improvement"
    assert thresholds.rate(KEY, 21, "2026-11") == "requires_improvement"
    assert thresholds.rate(KEY, 22.5, "2026-11") == "inadequate"


@pytest.mark.clock("2026-11-25T10:00")
def test_bad_bands_are_shown_beside_their_row_and_nothing_is_saved(client, auth, app_ctx):
    auth.login(make_user("qa_admin"))
    steps = [("outstanding", "14", "below"), ("good", "12", "below"),
             ("requires_improvement", "22", "up_to"), ("inadequate", "", "")]  # fmt: skip
    response = client.post(f"/thresholds/{KEY}/bands", data=_bands_post(steps=steps))
    text = page_text(response)
    assert response.status_code == 400
    assert "There is a problem" in text
    assert "Row 2: the limit 12 must be greater than the step before's (14)" in text
    assert 'href="#limit_2"' in response.get_data(as_text=True)
    missing_limit = [("outstanding", "", "below"), ("good", "18", "below"),
                     ("requires_improvement", "22", "up_to"), ("inadequate", "", "")]  # fmt: skip
    response = client.post(f"/thresholds/{KEY}/bands", data=_bands_post(steps=missing_limit))
    assert "Row 1: enter an upper limit" in page_text(response)
    response = client.post(f"/thresholds/{KEY}/bands", data=_bands_post(reason=""))
    assert "Say why the bands are changing" in page_text(response)
    assert db.session.scalar(select(func.count(ThresholdChange.id))) == 0


@pytest.mark.clock("2026-11-25T10:00")
def test_a_two_sided_indicator_is_edited_with_more_rows(client, auth, app_ctx):
    auth.login(make_user("psw"))
    steps = [("inadequate", "5", "below"), ("requires_improvement", "10", "below"),
             ("good", "15", "up_to"), ("requires_improvement", "20", "up_to"),
             ("inadequate", "", "")]  # fmt: skip
    response = client.post(
        "/thresholds/repeat_cp_plans/bands", data=_bands_post(shape="two_sided", steps=steps)
    )
    assert response.status_code == 302
    assert thresholds.rate("repeat_cp_plans", 4, "2026-12") == "inadequate"
    assert thresholds.rate("repeat_cp_plans", 4, "2026-10") == "requires_improvement"
    index = page_text(client.get("/thresholds/?month=2026-12"))
    assert "under 5% or over 20%" in index  # Inadequate on both sides


@pytest.mark.clock("2026-11-25T10:00")
def test_a_change_someone_else_made_meanwhile_is_not_overwritten(client, auth, app_ctx):
    auth.login(make_user("psw"))
    client.post(f"/thresholds/{KEY}/bands", data=_bands_post())
    steps = [("outstanding", "15", "below"), ("good", "18", "below"),
             ("requires_improvement", "22", "up_to"), ("inadequate", "", "")]  # fmt: skip
    response = client.post(f"/thresholds/{KEY}/bands", data=_bands_post(steps=steps))
    assert "Someone else changed these bands" in page_text(response)
    assert len(thresholds.history(KEY)) == 1


@pytest.mark.clock("2026-11-25T10:00")
def test_comparators_are_added_and_shown_beside_the_england_figure(client, auth, app_ctx):
    auth.login(make_user("qa_admin"))
    key = "rereferrals_within_12_months"
    response = client.post(
        f"/thresholds/{key}/comparators/new",
        data={"label": "Statistical neighbours", "figure": "21.0", "year": "2024",
              "source": "DfE LAIT 2024"},
    )  # fmt: skip
    assert response.status_code == 302
    row = db.session.scalar(select(ThresholdComparator))
    index = page_text(client.get("/thresholds/"))
    assert "22.6% (2025) Statistical neighbours 2024: 21%" in index
    response = client.post(
        f"/thresholds/{key}/comparators/{row.id}",
        data={"label": "Statistical neighbours", "figure": "lots", "year": "2024", "source": "x"},
    )
    assert "Figure must be a number, for example 21.5" in page_text(response)
    client.post(f"/thresholds/{key}/comparators/{row.id}/remove")
    assert "No comparators have been added" in page_text(client.get(f"/thresholds/{key}"))


@pytest.mark.clock("2026-11-25T10:00")
def test_other_roles_read_the_bands_but_cannot_change_them(client, auth, app_ctx):
    auth.login(make_user("team_manager"))
    page = client.get(f"/thresholds/{KEY}")
    assert page.status_code == 200
    assert "Change the bands" not in page_text(page)
    assert client.post(f"/thresholds/{KEY}/bands", data=_bands_post()).status_code == 403
    assert client.get("/thresholds/no_such_indicator").status_code == 404
    # Those who see no performance figures do not see the bands either.
    auth.login(make_user("social_worker"))
    assert client.get(f"/thresholds/{KEY}").status_code == 403
    assert "Thresholds" not in nav_labels(client.get("/"))
    assert db.session.scalar(select(func.count(ThresholdChange.id))) == 0


@pytest.mark.clock("2026-11-25T10:00")
@pytest.mark.app_config(WTF_CSRF_ENABLED=True)
def test_a_change_without_the_csrf_token_is_refused(client, auth, app_ctx):
    auth.login(make_user("psw"))
    response = client.post(f"/thresholds/{KEY}/bands", data=_bands_post())
    assert response.status_code == 400
    assert db.session.scalar(select(func.count(ThresholdChange.id))) == 0
    page = client.get(f"/thresholds/{KEY}/bands").get_data(as_text=True)
    assert re.search(r'name="csrf_token" type="hidden" value="[^"]+"', page)
