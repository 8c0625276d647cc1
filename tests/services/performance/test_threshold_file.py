"""The shipped defaults file: it loads, covers every indicator the issue names and the caseload
bands, carries only the England figures the sources publish, and a broken file is refused with
a message naming the indicator and field."""

import pytest
import yaml

from qa_app.services.performance.caseloads import THRESHOLD_KEYS
from qa_app.services.performance.threshold_file import (
    DEFAULTS_PATH,
    ThresholdFileError,
    load_defaults,
    parse_defaults,
)

# The indicators issue 16 names, written out independently of the file.
ISSUE_KEYS = [
    "assessments_within_45_working_days",
    "assessment_average_working_days",
    "assessment_outcomes",
    "rereferrals_within_12_months",
    "icpc_within_15_working_days",
    "repeat_cp_plans",
    "cp_plans_lasting_2_years",
    "cp_visits_in_timescale",
    "cp_seen_alone",
    "cp_reviews_in_timescale",
    "cla_visits_in_timescale",
    "cla_reviews_in_timescale",
    "cla_health_assessment_in_12_months",
    "cla_3_plus_placements",
    "care_leavers_in_touch",
    "care_leavers_suitable_accommodation",
    "care_leavers_in_education_employment_training",
    "unallocated_cases",
    "average_caseload",
    "cin_plan_average_weeks",
]


def test_the_shipped_file_covers_every_indicator_and_caseload_band():
    defaults = load_defaults()
    assert set(ISSUE_KEYS) <= set(defaults)
    assert set(THRESHOLD_KEYS.values()) <= set(defaults)
    for key in ISSUE_KEYS:
        assert defaults[key].rationale and defaults[key].name


def test_the_shipped_file_has_the_published_england_figures_and_no_others():
    defaults = load_defaults()
    published = {k: (d.england.figure, d.england.year) for k, d in defaults.items()
                 if d.england.figure is not None}  # fmt: skip
    assert published == {
        "assessments_within_45_working_days": (85.7, 2025),
        "rereferrals_within_12_months": (22.6, 2025),
        "icpc_within_15_working_days": (81.4, 2025),
        "cp_plans_lasting_2_years": (4.4, 2025),
    }
    assert all(defaults[k].england.source for k in published)
    assert all(
        d.england.note.startswith("Not published")
        for d in defaults.values()
        if d.england.figure is None
    )


def test_the_boards_table_is_the_default_for_caseloads_by_experience():
    defaults = load_defaults()
    assert defaults["average_caseload.asye"].bands.rate(24.5) == "requires_improvement"
    assert defaults["average_caseload.asye"].bands.rate(25.5) == "inadequate"
    assert defaults["average_caseload.1_3_years"].bands.rate(25.5) == "good"
    assert defaults["repeat_cp_plans"].bands.shape == "two_sided"
    assert defaults["repeat_cp_plans"].bands.rate(12) == "good"
    assert defaults["repeat_cp_plans"].bands.rate(5) == "requires_improvement"


def _broken(change) -> str:
    data = yaml.safe_load(DEFAULTS_PATH.read_text(encoding="utf-8"))
    change(data["indicators"])
    return yaml.safe_dump(data)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["repeat_cp_plans"].pop("rationale"),
         "thresholds.yaml: repeat_cp_plans: missing field(s) rationale"),
        (lambda d: d["cp_seen_alone"].update(unit="percentage"),
         "thresholds.yaml: cp_seen_alone: unit: must be one of"),
        (lambda d: d["icpc_within_15_working_days"]["england"].pop("source"),
         "thresholds.yaml: icpc_within_15_working_days: england: source: must name"),
        (lambda d: d["cp_seen_alone"]["england"].pop("note"),
         "thresholds.yaml: cp_seen_alone: england: note: say why there is no figure"),
        (lambda d: d["assessments_within_45_working_days"]["england"].update(year="2025"),
         "thresholds.yaml: assessments_within_45_working_days: england: year: must be"),
        (lambda d: d["average_caseload.asye"]["bands"]["steps"][1].update(below=10),
         "thresholds.yaml: average_caseload.asye: bands.steps[1]: the limit 10 must be greater"),
        (lambda d: d["average_caseload"]["bands"].update(shape="up"),
         "thresholds.yaml: average_caseload: bands.shape: must be one of"),
    ],
)  # fmt: skip
def test_a_broken_file_is_refused_naming_indicator_and_field(change, message):
    with pytest.raises(ThresholdFileError) as caught:
        parse_defaults(_broken(change), source="thresholds.yaml")
    assert str(caught.value).startswith(message)


def test_a_file_that_is_not_yaml_or_not_format_1_is_refused():
    with pytest.raises(ThresholdFileError, match="not valid YAML"):
        parse_defaults("indicators: [", source="x.yaml")
    with pytest.raises(ThresholdFileError, match="format: must be 1"):
        parse_defaults("format: 2\nindicators: {}", source="x.yaml")


def test_every_indicator_in_the_registry_has_thresholds():
    """Once the indicator registry is present, each of its keys has an entry in the file."""
    registry = pytest.importorskip("qa_app.services.performance.indicators")
    assert {indicator.key for indicator in registry.INDICATORS} <= set(load_defaults())
