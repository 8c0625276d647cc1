"""``qa kpi show`` and ``qa kpi export`` on the sample Annex A (tests/fixtures/formats)."""

import csv
import json
from datetime import date

from tests.support.importing import do_import, sample

# List 9 of the sample, read by hand: six care leavers, all "a) Yes" in touch; five with
# "a) Suitable" accommodation (4939073's is blank); four in education, training or employment
# (F1, F2, F3, F3; G5 and a blank are not).
CARE_LEAVERS = {
    "care_leavers_in_touch": (6, 6),
    "care_leavers_suitable_accommodation": (5, 6),
    "care_leavers_in_education_employment_training": (4, 6),
}


def test_show_json_has_every_indicator_with_whole_numbers(app_ctx, runner):
    do_import([sample("Annex_A.xlsx")], date(2021, 3, 31))
    result = runner.invoke(args=["kpi", "show", "--month", "2021-03", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert (data["month"], data["scope"]) == ("2021-03", "council")
    kpis = {k["key"]: k for k in data["kpis"]}
    for key, (numerator, denominator) in CARE_LEAVERS.items():
        assert (kpis[key]["numerator"], kpis[key]["denominator"]) == (numerator, denominator)
        assert kpis[key]["as_of"] == "2021-03-31"
    assert set(kpis["cin_plan_average_weeks"]) >= {
        "key",
        "name",
        "numerator",
        "denominator",
        "value",
        "unit",
        "band",
        "england",
        "as_of",
    }
    # Annex A has no CIN plans: null, with the reason.
    assert kpis["cin_plan_average_weeks"]["numerator"] is None
    assert "CIN plans" in kpis["cin_plan_average_weeks"]["reason"]
    # List 6's five "#N/A" allocations of 17 open cases.
    assert (kpis["unallocated_cases"]["numerator"], kpis["unallocated_cases"]["value"]) == (5, 5)


def test_show_text_and_a_month_without_an_import(app_ctx, runner):
    do_import([sample("Annex_A.xlsx")], date(2021, 3, 31))
    result = runner.invoke(args=["kpi", "show", "--month", "2021-03"])
    assert "Care leavers in touch: 100% (6/6, as of 2021-03-31)" in result.output
    result = runner.invoke(args=["kpi", "show", "--month", "2021-05"])
    assert "Care leavers in touch: - (No import with an as-of date in 2021-05" in result.output


def test_bad_month_or_scope_exits_2(app_ctx, runner):
    assert runner.invoke(args=["kpi", "show", "--month", "2021-13"]).exit_code == 2
    result = runner.invoke(args=["kpi", "show", "--month", "2021-03", "--scope", "team:Nope"])
    assert result.exit_code == 2 and "no team called 'Nope'" in result.output


def test_export_writes_the_figures_and_the_children_behind_them(app_ctx, runner, tmp_path):
    do_import([sample("Annex_A.xlsx")], date(2021, 3, 31))
    result = runner.invoke(args=["kpi", "export", "--month", "2021-03", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    kpis = list(csv.DictReader((tmp_path / "kpis.csv").open()))
    children = list(csv.DictReader((tmp_path / "children.csv").open()))
    leavers = [c for c in children if c["key"] == "care_leavers_in_touch"]
    assert len(leavers) == 6 and {c["team"] for c in leavers} == {"Care Leavers Team"}
    assert "7961370" in {c["child_id"] for c in leavers}
    assert next(k for k in kpis if k["key"] == "care_leavers_in_touch")["numerator"] == "6"
