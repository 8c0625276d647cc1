"""The notifications page after a big chase: one summary, whose links list exactly the actions
it counts, scoped to the reader."""

import re
from datetime import date, datetime

import pytest

from qa_app.extensions import db
from qa_app.services.actions.chase import run_chase
from tests.support.factories import TeamFactory, make_user
from tests.support.org import make_org, org_action

TODAY = date(2027, 1, 21)  # 20 working days after 21 December 2026


def action_links(html: str) -> set[str]:
    return set(re.findall(r'href="/actions/(\d+)"', html))


@pytest.mark.clock("2027-01-21T10:00")
def test_the_psw_sees_one_summary_whose_links_list_exactly_what_it_counts(client, auth, app_ctx):
    org = make_org()
    old = [org_action(org, due_on=date(2026, 12, 18), audited=False) for _ in range(30)]
    db.session.commit()
    run_chase(date(2027, 1, 20), now=datetime(2027, 1, 20, 7), base_url="http://qa.test")
    db.session.commit()
    recent = [org_action(org, due_on=date(2026, 12, 22), audited=False) for _ in range(4)]
    db.session.commit()
    run_chase(TODAY, now=datetime(2027, 1, 21, 7), base_url="http://qa.test")
    db.session.commit()
    # The 30 reached the PSW yesterday; today the 4 newer ones did (caught up to 19 working
    # days overdue they reach the head of service, not yet the PSW): nothing new for the PSW.
    auth.login(org.psw)
    page = client.get("/notifications/").get_data(as_text=True)
    assert page.count('data-testid="notification"') == 1
    assert "30 actions are overdue (30 new today)" in page
    listed = client.get("/actions/chased").get_data(as_text=True)
    assert action_links(listed) == {str(a.id) for a in old}
    assert "Open actions, most overdue first (30)" in listed
    # The head of service: yesterday's summary read (superseded), today's counts all 34.
    auth.login(org.head)
    page = client.get("/notifications/").get_data(as_text=True)
    assert page.count('data-testid="notification"') == 2
    assert page.count("govuk-tag--blue") == 1  # one "New"
    assert "34 actions are overdue (4 new today)" in page
    assert 'href="/actions/chased?day=2027-01-21"' in page
    everything = client.get("/actions/chased").get_data(as_text=True)
    assert action_links(everything) == {str(a.id) for a in old + recent}
    today = client.get("/actions/chased?day=2027-01-21").get_data(as_text=True)
    assert action_links(today) == {str(a.id) for a in recent}
    assert "Showing the actions you were reminded of on 21 January 2027" in today


@pytest.mark.clock("2027-01-21T10:00")
def test_the_list_is_the_readers_own_and_a_bad_day_is_refused(client, auth, app_ctx):
    org = make_org()
    org_action(org, due_on=date(2026, 12, 21), audited=False)
    db.session.commit()
    run_chase(TODAY, now=datetime(2027, 1, 21, 7), base_url="http://qa.test")
    db.session.commit()
    stranger = make_user("social_worker", team=TeamFactory())
    auth.login(stranger)
    page = client.get("/actions/chased").get_data(as_text=True)
    assert action_links(page) == set() and 'data-testid="chased-empty"' in page
    auth.login(org.worker)
    bad = client.get("/actions/chased?day=21/01/2027")
    assert bad.status_code == 400
    assert "The day must be a date such as 2026-11-25" in bad.get_data(as_text=True)
