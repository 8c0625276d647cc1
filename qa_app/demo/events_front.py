"""The demo's front door, children in need and child protection: referrals, assessments,
section 47 enquiries and ICPCs, CIN episodes and plans, CP plans with their visits and reviews.

Every record belongs to a child's journey, so dates follow each other as in a case file: a
referral opens the case (its ``opened_on``), the assessment starts on or after it, a plan starts
after the assessment is authorised, a closed case closes after everything in it. Journeys are
built three ways: forward from the open cases' ``opened_on``, backward from the CIN and CP plans
that ended in the year, and as short closed journeys that bring each month's referrals up to the
plan's volume, some of them re-referrals at the month's planned rate.
"""

from datetime import date, timedelta

from qa_app.demo.events_plan import Context, Kid
from qa_app.services.performance.dates import add_months
from qa_app.services.platform import months as month_helpers

SOURCES = {"5A": 28, "2A": 18, "3A": 8, "3E": 6, "6": 10, "1A": 6, "1B": 4, "4": 4, "8": 6,
           "9": 2, "10": 8}  # fmt: skip
FACTORS = ("1C", "2B", "3A", "3B", "3C", "4A", "4B", "5A", "6A", "7A", "8B", "9A", "10A",
           "11A", "18B", "19B", "21", "22A")  # fmt: skip
NEEDS = {"N1": 55, "N2": 4, "N3": 9, "N4": 17, "N5": 3, "N6": 3, "N7": 1, "N8": 3, "N9": 5}
CATEGORIES = {"Neglect": 50, "Emotional abuse": 35, "Physical abuse": 8, "Sexual abuse": 4,
              "Multiple": 3}  # fmt: skip


def pick(ctx: Context, weights: dict[str, int]) -> str:
    return ctx.rng.choices(list(weights), weights=list(weights.values()))[0]


def referral(ctx: Context, kid: Kid, day: date, *, nfa: bool = False) -> None:
    ctx.referred.append((kid, day))
    ctx.add("referrals", kid, referral_date=day, referral_source=pick(ctx, SOURCES), nfa=nfa)


def cin_episode(ctx: Context, kid: Kid, start: date, end: date | None, reason=None) -> None:
    ctx.add("cin_episodes", kid, start_date=start, end_date=end, primary_need=pick(ctx, NEEDS),
            last_seen=min(end or ctx.today, start + timedelta(days=ctx.rng.randint(0, 40))),
            closure_reason=reason, case_status="Closed" if end else "Open")  # fmt: skip


def assessment_days(ctx: Context, around: date) -> int:
    """Working days from start to authorisation: within 45 at the month's planned rate."""
    rng = ctx.rng
    if rng.random() < ctx.plan.rate(around, "on_time_45"):
        return int(rng.triangular(4, 45, 36))
    return rng.randint(46, 78)


def assessment(ctx: Context, kid: Kid, start: date, authorised: date | None) -> None:
    rng = ctx.rng
    ctx.add("assessments", kid, start_date=start, authorised_on=authorised,
            child_seen=rng.random() < 0.97, requires_support=None,
            factors=",".join(sorted(rng.sample(FACTORS, rng.randint(1, 3)))))  # fmt: skip


def assess_forward(ctx: Context, kid: Kid, start: date, latest: date) -> date:
    """An assessment started on *start* and authorised by *latest*; returns the authorisation."""
    days = assessment_days(ctx, ctx.wd.add(start, 45))
    authorised = max(start, min(ctx.wd.add(start, days), latest))
    assessment(ctx, kid, start, authorised)
    return authorised


def assess_backward(ctx: Context, kid: Kid, authorised: date) -> date:
    """An assessment authorised on *authorised*; returns its start."""
    start = ctx.wd.add(authorised, -assessment_days(ctx, authorised))
    assessment(ctx, kid, start, authorised)
    return start


def icpc_gap(ctx: Context, day: date) -> int:
    """Working days from strategy discussion to ICPC: within 15 at the month's planned rate."""
    if ctx.rng.random() < ctx.plan.rate(day, "icpc_15"):
        return int(ctx.rng.triangular(5, 15, 14))
    return ctx.rng.randint(16, 28)


def section47(ctx: Context, kid: Kid, strategy: date, icpc: date | None, plan: bool | None,
              not_required: bool = False) -> None:  # fmt: skip
    ctx.add("section47s", kid, strategy_date=strategy, icpc_not_required=not_required,
            icpc_date=icpc, icpc_target=ctx.wd.add(strategy, 15), icpc_result_plan=plan)  # fmt: skip


def cin_plan(ctx: Context, kid: Kid, start: date, end: date | None) -> None:
    ctx.add("cin_plans", kid, start_date=start, end_date=end)


def cp_plan(ctx: Context, kid: Kid, start: date, end: date | None) -> None:
    """A CP plan with its statutory visits (on time at each month end at the planned rate) and
    review conferences (3 months, then 6-monthly)."""
    rng, wd = ctx.rng, ctx.wd
    previous = 0 if rng.random() >= ctx.plan.rate(start, "repeat_plan") else rng.choice((1, 1, 2))
    category = pick(ctx, CATEGORIES)
    ctx.add("cp_plans", kid, start_date=start, end_date=end, initial_category=category,
            latest_category=category, previous_plans=previous,
            emergency_protection=rng.random() < 0.03)  # fmt: skip
    last = min(end or ctx.today, ctx.today)
    visits, day = [], wd.add(start, rng.randint(0, 4))
    floor = ctx.plan.start - timedelta(days=45)
    while day <= last:
        if day >= floor:
            visits.append(day)
        gap = rng.randint(5, 10) if rng.random() > 0.04 else rng.randint(11, 16)
        day = wd.add(day, gap)
    for as_of in ctx.plan.checkpoints[:-1]:
        since = wd.earliest_within(as_of, 10)
        if not (start < since and (end is None or end > as_of)):
            continue
        if rng.random() < ctx.plan.rate(as_of, "cp_visit_ok"):
            if not any(since <= v <= as_of for v in visits):
                visits.append(ctx.day(since, as_of))
        else:
            gone = since - timedelta(days=rng.randint(0, 6))
            visits = [v for v in visits if not gone <= v <= as_of]
    for day in sorted(visits):
        ctx.add("cp_visits", kid, visit_date=day,
                seen_alone=rng.random() < ctx.plan.rate(day, "seen_alone"))  # fmt: skip
    review, months = start, 3
    while True:
        review = add_months(review, months) - timedelta(days=rng.randint(1, 20))
        if rng.random() < ctx.plan.rate(review, "late_review"):
            review += timedelta(days=rng.randint(30, 75))
        if review > last:
            break
        if review >= floor - timedelta(days=200):
            ctx.add("cp_reviews", kid, review_date=review)
        months = 6


def cp_route(ctx: Context, kid: Kid, plan_start: date, referred: date | None = None,
             *, refer: bool = True) -> date:  # fmt: skip
    """Referral (unless the case is open already), assessment, strategy discussion and ICPC
    leading to a plan on *plan_start*; returns the referral date."""
    wd, rng = ctx.wd, ctx.rng
    strategy = wd.add(plan_start, -icpc_gap(ctx, plan_start))
    if referred is None:
        referred = strategy - timedelta(days=rng.randint(0, 4))
    strategy = max(strategy, referred)
    start = min(strategy, referred + timedelta(days=rng.randint(0, 3)))
    authorised = max(start, plan_start - timedelta(days=rng.randint(0, 6)))
    if refer:
        referral(ctx, kid, referred)
    assessment(ctx, kid, start, authorised)
    section47(ctx, kid, strategy, plan_start, True)
    return referred


def open_case_front(ctx: Context, kid: Kid, cohort: str, opened: date) -> date | None:
    """The front door of an open case that opened in the window; returns the day a period of
    care starts for the looked-after cohort."""
    rng, today = ctx.rng, ctx.today
    start = min(today, opened + timedelta(days=rng.randint(0, 2)))
    cin_episode(ctx, kid, opened, None)
    if cohort == "cp":
        gap = icpc_gap(ctx, opened) + rng.randint(0, 3)
        plan_start = max(opened, min(today - timedelta(days=1), ctx.wd.add(opened, gap)))
        cp_route(ctx, kid, plan_start, opened)
        cp_plan(ctx, kid, plan_start, None)
        return None
    referral(ctx, kid, opened)
    if cohort == "assessment":
        assessment(ctx, kid, start, None)
        if rng.random() < 0.08:
            section47(ctx, kid, ctx.day(start, today), None, None)
        return None
    authorised = assess_forward(ctx, kid, start, today - timedelta(days=1))
    if cohort == "cin":
        if (plan := authorised + timedelta(days=rng.randint(0, 14))) <= today:
            cin_plan(ctx, kid, plan, None)
        return None
    return min(today, authorised + timedelta(days=rng.randint(0, 25)))


def _cp_days(ctx: Context) -> int:
    roll = ctx.rng.random()
    if roll < 0.035:
        return ctx.rng.randint(731, 900)
    if roll < 0.15:
        return ctx.rng.randint(40, 90)
    return int(ctx.rng.triangular(91, 600, 250))


def _cin_days(ctx: Context) -> int:
    weeks = ctx.rng.triangular(2, 52, 10) if ctx.rng.random() < 0.95 else ctx.rng.uniform(52, 104)
    return max(7, int(weeks * 7))


def _take(pool: list[tuple[Kid, date]], before: date) -> tuple[Kid, date] | None:
    """An open case opened before *before* (earliest first), taken from *pool*."""
    for index, (_kid, opened) in enumerate(pool):
        if opened <= before:
            return pool.pop(index)
    return None


def plans_started(ctx: Context, kind: str, per_month: float, pool: list) -> None:
    """CIN or CP plans starting at a steady rate each month, from two years before the window:
    a plan that ended before today is a closed journey; one still running is given to an open
    case from *pool* (opened earlier, re-assessed or stepped up), so starts do not thin out
    towards today."""
    plan, today = ctx.plan, ctx.today
    months = month_helpers.ending_with(plan.months[-1], len(plan.months) + 24)
    for month in reversed(months):
        first = month_helpers.first_day(month)
        last = min(month_helpers.last_day(month), today - timedelta(days=1))
        share = min(1.0, ((last - first).days + 1) / 30.4)
        for _ in range(round(per_month * share)):
            start = ctx.day(first, last)
            end = start + timedelta(days=_cp_days(ctx) if kind == "cp" else _cin_days(ctx))
            if end < plan.start:
                continue
            if end < today:
                (_ended_cp if kind == "cp" else _ended_cin)(ctx, start, end)
            elif (taken := _take(pool, start - timedelta(days=130))) is not None:
                kid = taken[0]
                cin_episode(ctx, kid, taken[1], None)
                if kind == "cp":
                    cp_route(ctx, kid, start, refer=False)
                    cp_plan(ctx, kid, start, None)
                else:
                    assess_backward(ctx, kid, start - timedelta(days=ctx.rng.randint(0, 14)))
                    cin_plan(ctx, kid, start, None)


def _ended_cp(ctx: Context, start: date, end: date) -> None:
    """A plan that ended on *end*, stepped down to a CIN plan, and a case closed since."""
    rng = ctx.rng
    kid = ctx.new_kid("child_protection", 0, 15)
    if start >= ctx.plan.start - timedelta(days=90):
        referred = cp_route(ctx, kid, start)
    else:
        referred = start - timedelta(days=rng.randint(12, 30))
    closed = min(ctx.today - timedelta(days=rng.randint(1, 5)),
                 end + timedelta(days=rng.randint(0, 120)))  # fmt: skip
    cp_plan(ctx, kid, start, end)
    if (closed - end).days >= 14:
        cin_plan(ctx, kid, end, closed - timedelta(days=rng.randint(0, 5)))
    cin_episode(ctx, kid, referred, closed, "RC1" if rng.random() < 0.02 else "RC8")
    ctx.close_case(kid, "cin" if (closed - end).days >= 14 else "cp", referred, closed)


def _ended_cin(ctx: Context, start: date, end: date) -> None:
    """A CIN plan that ended on *end* (the case closing with it), with the referral and
    assessment before it when they fall in the year."""
    rng = ctx.rng
    kid = ctx.new_kid("child_in_need")
    authorised = start - timedelta(days=rng.randint(0, 14))
    opened = authorised - timedelta(days=90)
    if authorised >= ctx.plan.start - timedelta(days=90):
        assessed = assess_backward(ctx, kid, authorised)
        opened = assessed - timedelta(days=rng.randint(0, 2))
        referral(ctx, kid, opened)
    cin_plan(ctx, kid, start, end)
    closed = min(ctx.today - timedelta(days=1), end + timedelta(days=rng.randint(0, 10)))
    cin_episode(ctx, kid, opened, closed, "RC9" if rng.random() < 0.2 else "RC8")
    ctx.close_case(kid, "cin", opened, closed)


def short_journey(ctx: Context, kid: Kid, referred: date, before: date) -> None:
    """A referral that closed before *before*: no further action at referral, or after an
    assessment, some after a section 47 enquiry (a few to an ICPC without a plan)."""
    rng, wd = ctx.rng, ctx.wd
    latest = before - timedelta(days=1)
    room = (latest - referred).days
    roll = rng.random()
    if roll < 0.16 or room < 8:
        referral(ctx, kid, referred, nfa=True)
        closed = min(latest, referred + timedelta(days=rng.randint(0, 6)))
        cin_episode(ctx, kid, referred, closed, "RC8")
        ctx.close_case(kid, "assessment", referred, closed)
        return
    referral(ctx, kid, referred)
    start = min(latest, referred + timedelta(days=rng.randint(0, 3)))
    authorised = assess_forward(ctx, kid, start, latest - timedelta(days=2))
    closed = min(latest, authorised + timedelta(days=rng.randint(1, 12)))
    # What follows is decided at once, so journeys near today keep the same mix of outcomes.
    if roll > 0.78:
        strategy = min(latest, authorised + timedelta(days=rng.randint(0, 6)))
        icpc = wd.add(strategy, icpc_gap(ctx, strategy))
        if rng.random() < 0.45 and icpc < latest:
            section47(ctx, kid, strategy, icpc, False)
            closed = min(latest, icpc + timedelta(days=rng.randint(1, 20)))
        else:
            section47(ctx, kid, strategy, None, None, not_required=True)
            closed = min(latest, strategy + timedelta(days=rng.randint(5, 25)))
    elif roll < 0.22 and (latest - authorised).days > 3:
        # A short CIN plan, closed when it ends.
        start = authorised + timedelta(days=rng.randint(0, min(10, (latest - authorised).days - 2)))
        end = min(latest - timedelta(days=1), start + timedelta(days=rng.randint(14, 84)))
        cin_plan(ctx, kid, start, end)
        closed = min(latest, end + timedelta(days=rng.randint(0, 7)))
    cin_episode(ctx, kid, referred, closed, "RC9" if rng.random() < 0.25 else "RC8")
    ctx.close_case(kid, "assessment", referred, closed)


def fill_referrals(ctx: Context) -> None:
    """Bring each month's referrals up to the plan's volume with short closed journeys, and
    make the month's planned share of them re-referrals: a child referred again within 12
    months of an earlier referral (an earlier, closed journey of the same child)."""
    rng, plan = ctx.rng, ctx.plan
    every = plan.lead_in + plan.months
    counted: dict[str, list[tuple[Kid, date]]] = {m: [] for m in every}
    for kid, day in ctx.referred:
        if (month := month_helpers.of(day)) in counted:
            counted[month].append((kid, day))
    earlier: dict[str, int] = dict.fromkeys(every, 0)
    for month in reversed(every):
        first = month_helpers.first_day(month)
        last = min(month_helpers.last_day(month), ctx.today - timedelta(days=2))
        rates = plan.rates[month]
        target = rates.referrals if month != plan.months[-1] else round(
            rates.referrals * ((last - first).days + 1) / 30.4)  # fmt: skip
        fresh = []
        for _ in range(max(0, target - len(counted[month]) - earlier[month])):
            kid = ctx.new_kid("front_door")
            day = ctx.wd.add(ctx.day(first, last), 0)
            day = max(first, day)
            short_journey(ctx, kid, day, ctx.today)
            fresh.append((kid, day))
        candidates = counted[month] + fresh
        total = len(candidates) + earlier[month]
        # Babies cannot have been referred a year before (pre-birth referrals aside).
        candidates = [(k, d) for k, d in candidates if k.dob and k.dob < d - timedelta(days=400)]
        for kid, day in rng.sample(
            candidates, min(len(candidates), round(rates.rereferral * total))
        ):
            before = min(day - timedelta(days=rng.randint(25, 350)), first - timedelta(days=1))
            short_journey(ctx, kid, before, day)
            if (prior := month_helpers.of(before)) in earlier:
                earlier[prior] += 1
