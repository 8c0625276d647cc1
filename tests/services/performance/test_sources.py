"""The indicators that need the CIN census or SSDA903 (CIN plans, placements from episodes,
reviews from the Reviews table), on one import of both, with figures worked out by hand."""

from datetime import date

import pytest

from qa_app.services.performance import figures
from tests.support.importing import do_import, source


def child(la_id: str, *episodes: str) -> str:
    return (f"<Child><ChildIdentifiers><LAchildID>{la_id}</LAchildID>"
            "<PersonBirthDate>2015-01-01</PersonBirthDate><GenderCurrent>1</GenderCurrent>"
            "</ChildIdentifiers><ChildCharacteristics><Ethnicity>WBRI</Ethnicity>"
            f"</ChildCharacteristics>{''.join(episodes)}</Child>")  # fmt: skip


def episode(referral: str, closure: str = "", inner: str = "") -> str:
    closed = f"<CINclosureDate>{closure}</CINclosureDate>" if closure else ""
    return f"<CINdetails><CINreferralDate>{referral}</CINreferralDate>{closed}{inner}</CINdetails>"


def plan(start: str, end: str) -> str:
    return f"<CINPlanDates><CINPlanStartDate>{start}</CINPlanStartDate>" \
           f"<CINPlanEndDate>{end}</CINPlanEndDate></CINPlanDates>"  # fmt: skip


CENSUS = (
    "<Message><Children>"
    + child("K1", episode("2023-03-15", "2023-06-01"),
            episode("2024-01-10", "", plan("2024-01-15", "2024-03-04")))
    + child("K2", episode("2023-11-20", "", plan("2023-12-01", "2024-03-29")
                          + "<Section47><S47ActualStartDate>2024-03-22</S47ActualStartDate>"
                            "<DateOfInitialCPC>2024-03-28</DateOfInitialCPC></Section47>"))
    + "</Children></Message>"
)  # fmt: skip
HEADER = "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\nL1,1,01/01/2010,WBRI,,,\nL2,2,01/01/2012,WBRI,,,\n" \
         "L3,1,01/01/2011,WBRI,,,\n"  # fmt: skip
EPISODES = "\n".join([
    "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN",
    "L1,10/01/2022,S,C2,N1,U1,PR1,01/05/2023,X1,,,,",
    "L1,01/05/2023,P,C2,N1,U4,PR1,01/09/2023,X1,CARPL,,,",
    "L1,01/09/2023,L,E1,N1,U4,PR1,05/01/2024,X1,,,,",
    "L1,05/01/2024,P,E1,N1,K2,PR4,,,CHIND,,,",
    "L2,01/10/2023,S,V3,N2,U1,PR1,,,,,,",
    "L3,01/06/2023,S,C2,N1,U1,PR1,,,,,,",
]) + "\n"  # fmt: skip
REVIEWS = (
    "CHILD,DOB,REVIEW,REVIEW_CODE\nL1,01/01/2010,01/07/2023,PN1\nL1,01/01/2010,10/01/2024,PN1\n"
)


@pytest.fixture
def imported(app_ctx):
    files = [source("census.xml", CENSUS), source("header.csv", HEADER),
             source("episodes.csv", EPISODES), source("reviews.csv", REVIEWS)]  # fmt: skip
    summary = do_import(files, date(2024, 3, 31))
    assert summary["rejected"] == []


def shown(key: str, month: str):
    figure = figures.figure(figures.BY_KEY[key], month)
    return figure.numerator, figure.denominator, figure.value


def test_cin_plans_rereferrals_and_icpcs_from_the_census(imported):
    # K1's plan 15/01-04/03 lasted 49 days, K2's 01/12-29/03 119 days: 168 days over 2 plans,
    # 12 weeks on average.
    assert shown("cin_plan_average_weeks", "2024-03") == (168, 2, 12.0)
    # K1 was referred on 15/03/2023, within 12 months before 10/01/2024; K2 once.
    assert shown("rereferrals_within_12_months", "2024-01") == (1, 1, 100.0)
    assert shown("rereferrals_within_12_months", "2023-11") == (0, 1, 0.0)
    # Strategy discussion Friday 22/03/2024, ICPC Thursday 28/03: 4 working days (Good Friday
    # is the 29th, after it).
    assert shown("icpc_within_15_working_days", "2024-03") == (1, 1, 100.0)


def test_placements_and_reviews_from_ssda903(imported):
    # L1: looked after since 10/01/2022, so at 31/03/2023 (one placement), then new placements
    # on 01/05/2023 and 05/01/2024 (01/09/2023 changed the legal status only): 3. L3: one.
    # L2's only episode is a short break (V3): left out.
    assert shown("cla_3_plus_placements", "2024-03") == (1, 2, 50.0)
    # L1's latest review 10/01/2024 (its second): next due 10/07/2024, in timescale. L3 has had
    # no review since 01/06/2023: more than 20 working days, overdue.
    assert shown("cla_reviews_in_timescale", "2024-03") == (1, 2, 50.0)
    # SSDA903 holds no visits.
    figure = figures.figure(figures.BY_KEY["cla_visits_in_timescale"], "2024-03")
    assert figure.numerator is None and "looked-after visits" in figure.reason
