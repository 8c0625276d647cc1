"""The grade-trend dashboard says what its chart and tables count: the chosen section's grade or
the overall grade, of which cohort's audits, random sample or all."""

import html
import re

import pytest

from qa_app.services.platform.months import ending_with
from tests.support.factories import make_toolkit_version, make_user
from tests.support.report_world import Spec, load, make_world

MONTH = "2026-10"
MONTHS = ending_with(MONTH, 3)


@pytest.fixture
def world(app_ctx):
    """Eight audits a month, half good overall; the Assessment section is always graded good,
    the Planning section never; cin and cp alternate, one in four is thematic."""
    world = make_world(make_toolkit_version())
    load(
        world,
        [
            Spec(month, i % 3, ("cin", "cp")[i % 2], "thematic" if i % 4 == 3 else "random",
                 True, False, 2 if i < 4 else 3, None, (2, 3, None), ("yes", "yes", "no", "yes"))
            for month in MONTHS
            for i in range(8)
        ],
    )  # fmt: skip
    return world


def _page(client, auth, query: str) -> str:
    auth.login(make_user("psw"))
    response = client.get(f"/reports/dashboard?from={MONTHS[0]}&to={MONTH}{query}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _chart(page: str) -> tuple[str, str, str]:
    """The chart's <title>, <desc> and the sentence under it (what each point counts)."""
    svg = page.split('class="report-figure report-figure--spc">')[1].split("</svg>")[0]
    title = re.search(r"<title[^>]*>(.*?)</title>", svg, re.S).group(1)
    desc = re.search(r"<desc[^>]*>(.*?)</desc>", svg, re.S).group(1)
    words = " ".join(re.findall(r"<text[^>]*>([^<]*)</text>", svg))
    return html.unescape(title), html.unescape(desc), html.unescape(words)


def _captions(page: str) -> dict[str, str]:
    found = re.findall(r'data-table="(by_\w+)">\s*<caption[^>]*>(.*?)</caption>', page, re.S)
    return {key: html.unescape(text.strip()) for key, text in found}


def test_without_filters_the_chart_counts_the_overall_grade(client, auth, world):
    title, desc, words = _chart(_page(client, auth, ""))
    assert title == "Audits graded good or better, Whole council (%)"
    assert desc.startswith(
        "XmR chart. Each point: the % of the month's submitted audits graded good or better "
        "(outstanding or good), by reported grade."
    )
    assert f"{MONTH} 50%" in desc
    assert "by reported grade" in words
    assert _captions(_page(client, auth, "")) == {
        "by_team": "Audits graded good or better, by team",
        "by_cohort": "Audits graded good or better, by cohort",
        "by_section": "Audits whose section was graded good or better, by toolkit section",
    }


def test_with_a_section_chosen_the_chart_counts_that_sections_grade(client, auth, world):
    page = _page(client, auth, "&section=planning")
    title, desc, words = _chart(page)
    assert title == "Audits whose Planning section was graded good or better, Whole council (%)"
    assert (
        "Each point: the % of the month's submitted audits whose Planning section was graded "
        "good or better (outstanding or good), of those where the section was graded." in desc
    )
    # Planning is never graded good, though half the audits are good overall: the chart counts
    # the section's grade, as it says.
    assert f"{MONTH} 0%" in desc and f"{MONTH} 50%" not in desc
    assert "whose Planning section was graded" in " ".join(words.split())
    assert _captions(page) == {
        "by_team": "Audits graded good or better overall (not only the Planning section), by team",
        "by_cohort": "Audits graded good or better overall (not only the Planning section), "
        "by cohort",
        "by_section": "Audits whose Planning section was graded good or better",
    }
    title, desc, _ = _chart(_page(client, auth, "&section=assessment"))
    assert title.startswith("Audits whose Assessment section") and f"{MONTH} 100%" in desc


def test_cohort_and_random_filters_are_named(client, auth, world):
    page = _page(client, auth, "&cohort=cp&random=1&section=planning")
    title, desc, _ = _chart(page)
    assert title == (
        "Audits whose Planning section was graded good or better, Whole council, Child "
        "protection cohort, random sample only (%)"
    )
    assert (
        "the % of the month's submitted audits in the Child protection cohort in the random sample "
        "(thematic cases left out) whose Planning section was graded" in desc
    )
    captions = _captions(page)
    assert captions["by_team"].endswith("by team, Child protection cohort, random sample only")
    assert captions["by_section"] == (
        "Audits whose Planning section was graded good or better, Child protection cohort, "
        "random sample only"
    )
