"""Sampled cases closed by a later import: flagged, replaced from their stratum by the stored seed,
re-checkable, and published only when the QA lead confirms."""

import random
from datetime import date, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from qa_app.extensions import db
from qa_app.models import Assignment, Case, SampleItem, SampleReplacement
from qa_app.services.sampling import allocation, cycles, replace
from qa_app.services.sampling.draw import SamplingError, draw_sample
from qa_app.services.sampling.frame import AUDITED, ELIGIBLE, IN_CYCLE, FrameRow
from tests.support.factories import CaseFactory, LocalityFactory, TeamFactory, make_user

NOW = datetime(2026, 11, 9, 10)
TODAY = date(2026, 11, 9)
CLOSED_ON = date(2026, 11, 6)


@pytest.fixture
def council(app_ctx):
    """Two teams with twelve open CIN cases each, their managers and three auditors."""
    locality = LocalityFactory(name="North")
    teams = [TeamFactory(name=f"North {i}", locality=locality) for i in range(2)]
    psw = make_user("psw")
    managers = [make_user("team_manager", team=t, line_manager=psw) for t in teams]
    workers = [
        make_user("social_worker", team=t, line_manager=m)
        for t, m in zip(teams, managers, strict=True)
    ]
    for n in range(3):
        make_user("advanced_practitioner", line_manager=psw, email=f"ap{n}@council.test")
    for i in range(24):
        CaseFactory(
            team=teams[i % 2], worker=workers[i % 2], cohort="cin", opened_on=date(2026, 1, 5)
        )
    db.session.commit()
    return teams


def drawn(seed: int = 7):
    """A November sample of 25% (six cases, three a team)."""
    cycle = draw_sample(
        "2026-11", by=None, now=NOW, rng=random.Random(0), seed=seed, rate_bp=2500
    ).cycle
    db.session.commit()
    return cycle


def items(cycle) -> list[SampleItem]:
    return list(
        db.session.scalars(
            select(SampleItem).where(SampleItem.cycle_id == cycle.id).order_by(SampleItem.id)
        )
    )


def close(*case_ids: int, on: date = CLOSED_ON) -> None:
    for case_id in case_ids:
        db.session.get(Case, case_id).closed_on = on
    db.session.commit()


def test_closed_cases_are_replaced_from_their_stratum_reproducibly(council):
    cycle = drawn()
    first, second = items(cycle)[:2]
    close(first.case_id, second.case_id)
    assert [i.id for i in replace.closed_items(cycle, today=TODAY)] == [first.id, second.id]
    # Closed after today does not count yet.
    assert replace.closed_items(cycle, today=date(2026, 11, 5)) == []
    strata = {first.case_id: (first.team_id, first.cohort), second.case_id: (second.team_id, "cin")}

    result = replace.replace_closed(cycle, by=None, now=NOW, today=TODAY)
    picked = {r.closed_case_id: r.replacement_case_id for r in result.replaced}
    db.session.rollback()  # the same state gives the same replacements
    again = replace.replace_closed(cycle, by=None, now=NOW, today=TODAY)
    assert {r.closed_case_id: r.replacement_case_id for r in again.replaced} == picked
    db.session.commit()

    now_sampled = {i.case_id: i for i in items(cycle)}
    assert len(now_sampled) == 6 and not result.left
    for closed_id, new_id in picked.items():
        assert closed_id not in now_sampled
        new_case = db.session.get(Case, new_id)
        assert new_case.closed_on is None
        assert (new_case.team_id, new_case.cohort) == strata[closed_id]
        assert now_sampled[new_id].selection == "random"
    assert replace.check_sample(cycle)
    assert replace.closed_items(cycle, today=TODAY) == []


def test_a_replacement_in_an_allocated_sample_gets_an_auditor_as_allocation_would(council):
    cycle = drawn()
    allocation.allocate_cycle(cycle, now=NOW)
    db.session.commit()
    target = items(cycle)[0]
    auditor_id, tier = target.assignment.auditor_id, target.assignment.tier
    close(target.case_id)
    [record] = replace.replace_closed(cycle, by=None, now=NOW, today=TODAY).replaced
    db.session.commit()
    new_item = db.session.scalar(
        select(SampleItem).where(SampleItem.case_id == record.replacement_case_id)
    )
    assert new_item.assignment is not None and new_item.assignment.status == "proposed"
    assert not new_item.assignment.manual
    # The closed case's auditor may audit its stratum-mate, so keeps the slot.
    assert (new_item.assignment.auditor_id, new_item.assignment.tier) == (auditor_id, tier)
    # The closed case's proposed assignment went with it.
    assert db.session.scalar(select(db.func.count(Assignment.id))) == 6


def test_a_replacement_its_auditor_may_not_audit_goes_to_another_allowed_auditor(council):
    cycle = drawn()
    allocation.allocate_cycle(cycle, now=NOW)
    db.session.commit()
    target = items(cycle)[0]
    auditor_id = target.assignment.auditor_id
    close(target.case_id)
    chosen, _ = replace.choose_replacement(
        replace.stored_frame(cycle),
        seed=cycle.seed,
        closed_case_id=target.case_id,
        stratum=(target.team_id, target.cohort),
        taken={i.case_id for i in items(cycle)},
        closed={target.case_id},
    )
    db.session.get(Case, chosen).worker_id = auditor_id  # the auditor's own case: not allowed
    db.session.commit()
    [record] = replace.replace_closed(cycle, by=None, now=NOW, today=TODAY).replaced
    db.session.commit()
    new_item = db.session.scalar(select(SampleItem).where(SampleItem.case_id == chosen))
    assert record.replacement_case_id == chosen
    assert new_item.assignment is not None and new_item.assignment.auditor_id != auditor_id


def test_a_stratum_with_nothing_left_keeps_its_closed_case_and_says_why(council):
    cycle = drawn()
    target = items(cycle)[0]
    team_cases = db.session.scalars(select(Case.id).where(Case.team_id == target.team_id)).all()
    sampled = {i.case_id for i in items(cycle)}
    close(target.case_id, *[c for c in team_cases if c not in sampled])
    result = replace.replace_closed(cycle, by=None, now=NOW, today=TODAY)
    assert result.replaced == []
    assert [(i.id, why) for i, why in result.left] == [
        (target.id, "No open eligible case is left in its team and cohort")
    ]
    assert "was left in the sample: No open eligible case" in replace.outcome_message(result)
    db.session.commit()
    assert target.case_id in {i.case_id for i in items(cycle)}


def test_closed_cases_passed_over_are_recorded_so_the_check_still_passes(council):
    cycle = drawn()
    target = items(cycle)[0]
    frame_first = replace.choose_replacement(
        replace.stored_frame(cycle),
        seed=cycle.seed,
        closed_case_id=target.case_id,
        stratum=(target.team_id, target.cohort),
        taken={i.case_id for i in items(cycle)},
        closed=set(),
    )[0]
    close(target.case_id, frame_first)
    [record] = replace.replace_closed(cycle, by=None, now=NOW, today=TODAY).replaced
    db.session.commit()
    assert record.passed_over == [frame_first] and record.replacement_case_id != frame_first
    close(frame_first, on=None)  # a later import reopens it: the record still explains the choice
    assert replace.check_sample(cycle)
    # Tampering with a replacement is detected.
    other = next(
        c
        for c in db.session.scalars(select(Case.id).where(Case.team_id == target.team_id))
        if c not in {i.case_id for i in items(cycle)} and c != target.case_id
    )
    record.replacement_case_id = other
    db.session.commit()
    assert not replace.check_sample(cycle)


def test_publishing_a_sample_with_closed_cases_needs_the_exact_count(council):
    cycle = drawn()
    allocation.allocate_cycle(cycle, now=NOW)
    db.session.commit()
    close(*[i.case_id for i in items(cycle)[:2]])
    for confirm in (None, 1, 3):
        with pytest.raises(cycles.ClosedCasesInSample, match="holds 2 cases closed since the draw"):
            cycles.publish_cycle(
                cycle, by=None, now=NOW, today=TODAY, base_url="http://x", confirm_closed=confirm
            )
        db.session.rollback()
    assert cycle.status == "allocated"
    cycles.publish_cycle(
        cycle, by=None, now=NOW, today=TODAY, base_url="http://x", confirm_closed=2
    )
    assert cycle.status == "published"
    with pytest.raises(SamplingError, match="has been published: its cases can no longer"):
        replace.replace_closed(cycle, by=None, now=NOW, today=TODAY)


def test_a_redraw_forgets_the_replacements(council):
    cycle = drawn()
    close(items(cycle)[0].case_id)
    replace.replace_closed(cycle, by=None, now=NOW, today=TODAY)
    db.session.commit()
    draw_sample("2026-11", by=None, now=NOW, rng=random.Random(1), seed=8, redraw=True)
    db.session.commit()
    assert db.session.scalar(select(db.func.count(SampleReplacement.id))) == 0
    assert replace.check_sample(cycle)


def test_nothing_to_replace_is_refused(council):
    with pytest.raises(SamplingError, match="No case in the 2026-11 sample has been closed"):
        replace.replace_closed(drawn(), by=None, now=NOW, today=TODAY)


@st.composite
def situations(draw):
    n = draw(st.integers(1, 120))
    ids = sorted(draw(st.sets(st.integers(1, 10**6), min_size=n, max_size=n)))
    rows = [
        FrameRow(
            case_id,
            draw(st.sampled_from([None, 1, 2])),
            draw(st.sampled_from(["cin", "cp"])),
            draw(st.sampled_from([ELIGIBLE] * 6 + [AUDITED, IN_CYCLE])),
        )
        for case_id in ids
    ]
    closed_case = draw(st.sampled_from(rows))
    taken = draw(st.sets(st.sampled_from(ids), max_size=n)) | {closed_case.case_id}
    closed = draw(st.sets(st.sampled_from(ids), max_size=n)) | {closed_case.case_id}
    return rows, closed_case, taken, closed


@settings(max_examples=300, deadline=None)
@given(situations(), st.integers(0, 2**40))
def test_a_replacement_is_deterministic_in_its_stratum_open_and_not_sampled(situation, seed):
    frame, closed_case, taken, closed = situation
    stratum = (closed_case.team_id, closed_case.cohort)

    def choose(rows):
        return replace.choose_replacement(
            rows,
            seed=seed,
            closed_case_id=closed_case.case_id,
            stratum=stratum,
            taken=taken,
            closed=closed,
        )

    chosen, passed_over = choose(frame)
    shuffled = list(frame)
    random.Random(seed).shuffle(shuffled)
    assert choose(shuffled) == (chosen, passed_over)  # the same state, the same replacement
    by_id = {r.case_id: r for r in frame}
    candidates = [
        r.case_id
        for r in frame
        if (r.team_id, r.cohort) == stratum
        and r.exclusion == ELIGIBLE
        and r.case_id not in taken | closed
    ]
    if chosen is None:
        assert candidates == []
    else:
        row = by_id[chosen]
        assert (row.team_id, row.cohort) == stratum and row.exclusion == ELIGIBLE
        assert chosen not in taken and chosen not in closed
        # It is the candidate with the lowest replacement number.
        assert chosen == min(
            candidates, key=lambda c: replace.replacement_number(seed, closed_case.case_id, c)
        )
    assert all(c in closed and c not in taken for c in passed_over)
