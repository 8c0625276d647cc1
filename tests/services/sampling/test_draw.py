"""Sampling: exact size, proportional strata, exclusions, reproducibility and idempotency."""

import hashlib
import random
from datetime import date, datetime
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from qa_app.extensions import db
from qa_app.models import Assignment, AuditCycle, SampleItem
from qa_app.services.sampling import adjust
from qa_app.services.sampling import draw as sampling
from qa_app.services.sampling.draw import plan_sample
from qa_app.services.sampling.frame import AUDITED, ELIGIBLE, IN_CYCLE, FrameRow, stored_frame
from tests.support.factories import CaseFactory, TeamFactory, make_user

NOW = datetime(2026, 11, 2, 7)


@st.composite
def frames(draw):
    n = draw(st.integers(0, 400))
    ids = sorted(draw(st.sets(st.integers(1, 10**6), min_size=n, max_size=n)))
    teams = draw(st.lists(st.sampled_from([None, 1, 2, 3, 4, 5]), min_size=n, max_size=n))
    cohorts = draw(
        st.lists(st.sampled_from(["cin", "cp", "cla", "assessment"]), min_size=n, max_size=n)
    )
    exclusions = draw(
        st.lists(st.sampled_from([ELIGIBLE] * 6 + [AUDITED, IN_CYCLE]), min_size=n, max_size=n)
    )
    return [FrameRow(*row) for row in zip(ids, teams, cohorts, exclusions, strict=True)]


@settings(max_examples=300, deadline=None)
@given(frames(), st.integers(0, 2**40), st.integers(1, 10000))
def test_plan_has_exact_size_proportional_strata_and_honours_exclusions(frame, seed, rate_bp):
    plan = plan_sample(frame, seed=seed, rate_bp=rate_bp)
    eligible = [r for r in frame if r.exclusion == ELIGIBLE]
    size = -(-rate_bp * len(eligible) // 10000)
    assert size == int(-(-Fraction(rate_bp, 10000) * len(eligible) // 1))
    assert len(plan.selected) == size == sum(s.sample for s in plan.strata)
    assert plan.eligible == len(eligible)
    # Excluded cases are never drawn; every drawn case is in its stratum.
    by_id = {r.case_id: r for r in frame}
    assert all(by_id[c].exclusion == ELIGIBLE for c in plan.selected)
    for s in plan.strata:
        quota = Fraction(size * s.eligible, len(eligible)) if eligible else 0
        assert abs(s.sample - quota) < 1
        drawn = [
            c for c in plan.selected if (by_id[c].team_id, by_id[c].cohort) == (s.team_id, s.cohort)
        ]
        assert len(drawn) == s.sample
    # The same seed and frame give the same sample, whatever order the frame comes in.
    shuffled = list(frame)
    random.Random(seed).shuffle(shuffled)
    assert plan_sample(shuffled, seed=seed, rate_bp=rate_bp).selected == plan.selected


def test_a_known_frame_and_seed_give_a_known_sample():
    """Pinned: any change to the lottery would change published samples."""
    frame = [FrameRow(i, 1 + i % 3, "cin" if i % 2 else "cp") for i in range(1, 101)]
    plan = plan_sample(frame, seed=2026, rate_bp=1000)
    assert plan.selected == sorted(plan.selected) and len(plan.selected) == 10
    assert plan.selected == plan_sample(frame, seed=2026, rate_bp=1000).selected
    assert plan.selected != plan_sample(frame, seed=2027, rate_bp=1000).selected
    digest = hashlib.sha256(b"casefile-qa-sample-v1:2026:1").digest()
    assert sampling.lottery_number(2026, 1) == int.from_bytes(digest[:8], "big")


@pytest.mark.parametrize(
    ("text", "basis"), [("0.1", 1000), ("10%", 1000), ("12.5%", 1250), ("1", 10000), ("0.0001", 1)]
)
def test_rates_are_exact(text, basis):
    assert sampling.parse_rate(text) == basis


@pytest.mark.parametrize("text", ["0", "1.5", "abc", "0.00001", "-0.1"])
def test_bad_rates_are_refused_clearly(text):
    with pytest.raises(sampling.SamplingError, match="Rate"):
        sampling.parse_rate(text)


@pytest.fixture
def council(app_ctx):
    teams = [TeamFactory(name=f"T{i}") for i in range(3)]
    cases = [
        CaseFactory(
            team=teams[i % 3], cohort=["cin", "cp", "cla"][i % 3], opened_on=date(2025, 1, 1)
        )
        for i in range(45)
    ]
    CaseFactory(team=teams[0], opened_on=date(2026, 11, 5))  # opens after the reference date
    CaseFactory(team=teams[0], opened_on=date(2025, 1, 1), closed_on=date(2026, 10, 1))
    return teams, cases


def draw(month="2026-11", **kwargs):
    kwargs.setdefault("seed", 11)
    result = sampling.draw_sample(month, by=None, now=NOW, rng=random.Random(0), **kwargs)
    db.session.commit()
    return result


def sampled(cycle):
    return sorted(
        db.session.scalars(select(SampleItem.case_id).where(SampleItem.cycle_id == cycle.id))
    )


def test_draw_takes_the_open_cases_and_stores_a_verifiable_frame(council):
    result = draw()
    cycle = result.cycle
    assert (cycle.frame_count, cycle.eligible_count, len(sampled(cycle))) == (45, 45, 5)
    assert sampling.verify_cycle(cycle)
    assert [r.case_id for r in stored_frame(cycle)] == sorted(c.id for c in council[1])
    # Tampering with the sample is detected.
    item = db.session.scalar(select(SampleItem).where(SampleItem.cycle_id == cycle.id).limit(1))
    db.session.delete(item)
    db.session.commit()
    assert not sampling.verify_cycle(cycle)


def test_drawing_again_returns_the_existing_sample(council):
    first = draw(seed=11)
    again = draw(seed=99)  # a different seed is ignored: the month is drawn
    assert again.already_drawn and again.cycle.id == first.cycle.id and again.cycle.seed == 11
    assert db.session.scalar(select(func.count(AuditCycle.id))) == 1


def test_same_seed_and_frame_same_sample_across_months(council):
    a = sampled(draw("2026-11", seed=5).cycle)
    b = sampled(draw("2026-12", seed=5, reference_date=date(2026, 12, 1)).cycle)
    assert a == b


def test_redraw_is_for_qa_admin_before_publishing(council):
    cycle = draw(seed=1).cycle
    before = sampled(cycle)
    with pytest.raises(sampling.SamplingError, match="Only the QA lead"):
        sampling.draw_sample(
            "2026-11", by=make_user("psw"), now=NOW, rng=random.Random(), redraw=True
        )
    db.session.rollback()
    admin = make_user("qa_admin")
    result = sampling.draw_sample(
        "2026-11", by=admin, now=NOW, rng=random.Random(), seed=2, redraw=True
    )
    db.session.commit()
    assert result.cycle.draws == 2 and sampled(result.cycle) != before
    result.cycle.status = "published"
    db.session.commit()
    with pytest.raises(sampling.SamplingError, match="published"):
        sampling.draw_sample("2026-11", by=admin, now=NOW, rng=random.Random(), redraw=True)


def test_recently_audited_children_and_cases_in_the_cycle_are_excluded(council):
    _, cases = council
    old = draw("2026-10", reference_date=date(2026, 10, 1), seed=3).cycle
    items = db.session.scalars(select(SampleItem).where(SampleItem.cycle_id == old.id)).all()
    auditor = make_user("advanced_practitioner")
    statuses = ["completed", "assigned", "proposed", "completed"]
    completed_on = [date(2026, 10, 20), None, None, date(2025, 10, 1)]  # the last is too old
    for item, status, done in zip(items, statuses, completed_on, strict=False):
        db.session.add(
            Assignment(
                sample_item_id=item.id,
                auditor_id=auditor.id,
                due_on=date(2026, 10, 30),
                status=status,
                completed_on=done,
            )
        )
    db.session.commit()
    excluded = {items[0].case_id, items[1].case_id}
    result = draw("2026-11", seed=3)
    cycle = result.cycle
    assert cycle.excluded_audited == 2
    assert not excluded & set(sampled(cycle))
    frame = {r.case_id: r.exclusion for r in stored_frame(cycle)}
    assert {c for c, e in frame.items() if e == AUDITED} == excluded
    # A thematic case added then a redraw: the case stays and is excluded from the frame.
    extra = next(c for c in cases if c.id not in sampled(cycle) and c.id not in excluded)
    item = adjust.add_case(cycle, extra, by=None, now=NOW, note="Neglect theme")
    assert item.selection == "thematic"
    db.session.commit()
    redrawn = sampling.draw_sample(
        "2026-11", by=None, now=NOW, rng=random.Random(), seed=4, redraw=True
    )
    db.session.commit()
    assert redrawn.cycle.excluded_in_cycle == 1 and extra.id in sampled(redrawn.cycle)
    with pytest.raises(sampling.SamplingError, match="already in the 2026-11 sample"):
        adjust.add_case(cycle, extra, by=None, now=NOW)


@pytest.mark.parametrize(
    ("month", "message"), [("2026-13", "YYYY-MM"), ("Nov", "YYYY-MM"), ("2026-11-01", "YYYY-MM")]
)
def test_bad_months_are_refused_and_nothing_is_drawn(app_ctx, month, message):
    with pytest.raises(sampling.SamplingError, match=message):
        draw(month)
    db.session.rollback()
    assert db.session.scalar(select(func.count(AuditCycle.id))) == 0


def test_reference_date_must_be_in_the_month(app_ctx):
    with pytest.raises(sampling.SamplingError, match="not in 2026-11"):
        draw(reference_date=date(2026, 10, 31))
