"""Changing bands keeps history and leaves past months rated as they were; comparators; the
service the dashboard calls."""

from datetime import date, datetime

import pytest
from sqlalchemy import func, select

from qa_app.extensions import db
from qa_app.models import ThresholdChange, ThresholdComparator
from qa_app.services.performance import thresholds
from qa_app.services.performance.thresholds import ComparatorInput, ThresholdError
from tests.support.factories import make_user

NOW = datetime(2026, 11, 20, 10, 0)
TIGHTER = {
    "shape": "lower",
    "steps": [
        {"band": "outstanding", "below": 14},
        {"band": "good", "below": 18},
        {"band": "requires_improvement", "up_to": 22},
        {"band": "inadequate"},
    ],
}
KEY = "average_caseload.asye"


def _change(psw, bands=TIGHTER, month="2026-11", **kwargs):
    kwargs.setdefault("reason", "Board of 12 November 2026: protected ASYE caseloads")
    return thresholds.change_bands(KEY, bands, effective_from=month, by=psw, now=NOW, **kwargs)


def test_the_defaults_apply_until_a_change(app_ctx):
    item = thresholds.thresholds_for(KEY, "2026-11")
    assert item.change is None and item.effective_from is None
    assert thresholds.rate(KEY, 21, "2026-11") == "requires_improvement"
    assert thresholds.rate(KEY, None, "2026-11") is None
    assert item.band_ranges == {
        "inadequate": "over 25",
        "requires_improvement": "20 to 25",
        "good": "16 to under 20",
        "outstanding": "under 16",
    }


def test_a_change_keeps_history_and_past_months_keep_their_bands(app_ctx):
    psw = make_user("psw", name="Pat Principal")
    change = _change(psw)
    db.session.commit()
    # October is rated as it was; November on under the new bands.
    assert thresholds.rate(KEY, 21, "2026-10") == "requires_improvement"
    assert thresholds.rate(KEY, 21, date(2026, 11, 30)) == "requires_improvement"
    assert thresholds.rate(KEY, 22.5, "2026-11") == "inadequate"
    assert thresholds.rate(KEY, 22.5, "2027-06") == "inadequate"
    assert thresholds.rate(KEY, 22.5, "2026-10") == "requires_improvement"
    [row] = thresholds.history(KEY)
    assert (row.changed_by.name, row.changed_at, row.effective_from) == (
        "Pat Principal",
        NOW,
        "2026-11",
    )
    assert row.reason == "Board of 12 November 2026: protected ASYE caseloads"
    assert row.previous_bands["steps"][0] == {"band": "outstanding", "below": 16}
    assert row.bands == TIGHTER
    assert row.previous_change_id is None
    assert thresholds.bands_text(row.previous_bands, "ratio").startswith("Outstanding: under 16;")
    assert change.id == row.id


def test_later_changes_chain_and_the_latest_for_a_month_wins(app_ctx):
    psw = make_user("psw")
    first = _change(psw)
    looser = {**TIGHTER, "steps": [{**TIGHTER["steps"][0], "below": 15}, *TIGHTER["steps"][1:]]}
    second = _change(psw, looser, month="2027-01")
    assert second.previous_change_id == first.id
    assert second.previous_bands == TIGHTER
    assert thresholds.rate(KEY, 14.5, "2026-12") == "good"
    assert thresholds.rate(KEY, 14.5, "2027-01") == "outstanding"
    # A correction for the same month replaces the first for that month.
    corrected = {**TIGHTER, "steps": [*TIGHTER["steps"][:2], {"band": "requires_improvement",
                                                                "up_to": 23}, TIGHTER["steps"][3]]}  # fmt: skip
    _change(psw, corrected, month="2026-11", reason="Typo: 23, not 22")
    assert thresholds.rate(KEY, 22.5, "2026-12") == "requires_improvement"
    assert thresholds.history(KEY)[0].reason == "Typo: 23, not 22"


def test_an_indicator_can_stop_being_rated_from_a_month(app_ctx):
    psw = make_user("psw")
    _change(psw, None, month="2027-01")
    assert thresholds.rate(KEY, 30, "2027-01") is None
    assert thresholds.rate(KEY, 30, "2026-12") == "inadequate"
    assert thresholds.thresholds_for(KEY, "2027-01").ranges == []


@pytest.mark.parametrize(
    ("kwargs", "field", "message"),
    [
        ({"reason": "  "}, "reason", "Say why the bands are changing"),
        ({"month": "2026-13"}, "effective_from", "not in the form YYYY-MM"),
        ({"bands": {"shape": "lower", "steps": [{"band": "good"}]}}, "bands", "bands.steps"),
        ({"bands": {**TIGHTER, "steps": [{"band": "outstanding", "below": 19},
                                         *TIGHTER["steps"][1:]]}}, "bands", "bands.steps[1]"),
    ],
)  # fmt: skip
def test_a_bad_change_is_refused_and_changes_nothing(app_ctx, kwargs, field, message):
    psw = make_user("psw")
    with pytest.raises(ThresholdError, match=message.replace("[", r"\[")) as caught:
        _change(psw, **kwargs)
    assert caught.value.field == field
    db.session.rollback()
    assert db.session.scalar(select(func.count(ThresholdChange.id))) == 0


def test_the_bands_already_in_force_are_not_a_change(app_ctx):
    psw = make_user("psw")
    defaults = thresholds.thresholds_for(KEY, "2026-11").bands
    with pytest.raises(ThresholdError, match="already the bands in force"):
        _change(psw, defaults.as_dict())


def test_a_change_made_meanwhile_by_someone_else_is_not_overwritten(app_ctx):
    psw, admin = make_user("psw"), make_user("qa_admin")
    seen = thresholds.latest_change_id(KEY)
    _change(admin, based_on=seen)
    looser = {**TIGHTER, "steps": [{**TIGHTER["steps"][0], "below": 15}, *TIGHTER["steps"][1:]]}
    with pytest.raises(ThresholdError, match="Someone else changed these bands"):
        _change(psw, looser, based_on=seen)
    assert len(thresholds.history(KEY)) == 1


def test_unknown_indicator_is_refused(app_ctx):
    with pytest.raises(ThresholdError, match="no thresholds for an indicator called 'nope'"):
        thresholds.rate("nope", 1, "2026-11")


def test_comparators_are_added_changed_and_removed_with_who_and_when(app_ctx):
    psw, admin = make_user("psw"), make_user("qa_admin")
    key = "rereferrals_within_12_months"
    row = thresholds.add_comparator(
        key, ComparatorInput("Statistical neighbours", 21.0, 2024, "DfE LAIT"), by=psw, now=NOW
    )
    thresholds.add_comparator(
        key, ComparatorInput("Region", 23.5, 2024, "Regional dataset"), by=psw, now=NOW
    )
    item = thresholds.thresholds_for(key, "2026-11")
    assert [(c.label, c.figure, c.year) for c in item.comparators] == [
        ("Region", 23.5, 2024),
        ("Statistical neighbours", 21.0, 2024),
    ]
    assert item.format(item.comparators[1].figure) == "21%"
    assert item.england.figure == 22.6
    with pytest.raises(ThresholdError, match="already a comparator called Region for 2024"):
        thresholds.add_comparator(key, ComparatorInput("region", 1, 2024, "x"), by=psw, now=NOW)
    later = datetime(2026, 11, 21, 9, 0)
    thresholds.update_comparator(
        row, ComparatorInput("Statistical neighbours", 20.4, 2024, "DfE LAIT"), by=admin, now=later
    )
    assert (row.figure, row.updated_by_id, row.updated_at) == (20.4, admin.id, later)
    thresholds.remove_comparator(row, by=admin, now=later)
    assert [c.label for c in thresholds.thresholds_for(key, "2026-11").comparators] == ["Region"]
    assert db.session.get(ThresholdComparator, row.id).removed_by_id == admin.id


@pytest.mark.parametrize(
    ("data", "field"),
    [
        (ComparatorInput("", 1.0, 2024, "x"), "label"),
        (ComparatorInput("SN", float("nan"), 2024, "x"), "figure"),
        (ComparatorInput("SN", 1.0, 1999, "x"), "year"),
        (ComparatorInput("SN", 1.0, 2024, " "), "source"),
    ],
)
def test_a_bad_comparator_is_refused_naming_the_field(app_ctx, data, field):
    with pytest.raises(ThresholdError) as caught:
        thresholds.add_comparator("cp_seen_alone", data, by=make_user("psw"), now=NOW)
    assert caught.value.field == field


def test_all_thresholds_covers_every_indicator_in_the_file_order(app_ctx):
    items = thresholds.all_thresholds("2026-11")
    assert list(items) == thresholds.indicator_keys()
    assert items["assessment_outcomes"].rate(40) is None  # not rated
    assert items["assessments_within_45_working_days"].as_dict()["england"] == {
        "figure": 85.7,
        "year": 2025,
        "source": items["assessments_within_45_working_days"].england.source,
        "note": None,
    }
