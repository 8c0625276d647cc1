"""The demo's children looked after and care leavers: periods of care with their SSDA903
episodes, placements, social work and IRO visits, reviews, health and dental checks, missing
episodes and List 8's counts at each as-of date; care leavers' status at each as-of date.

Records are generated from a little before the window (so the first month's snapshot has the
latest dates it needs) to the end of the period or the demo's today. Visits, reviews and checks
follow the Care Planning Regulations' timescales, with a share of them late.
"""

from datetime import date, timedelta

from qa_app.demo.events_front import assess_backward, cin_episode, pick, referral
from qa_app.demo.events_plan import Context, Kid
from qa_app.services.performance.dates import add_months

LEGAL = {"C2": 62, "V2": 18, "E1": 6, "J2": 2, "L2": 2, "C1": 10}
PLACEMENTS = {"U1": 8, "U3": 10, "U4": 32, "U5": 8, "U6": 12, "K2": 12, "R1": 5, "P2": 5,
              "A5": 3, "H5": 5}  # fmt: skip
PROVIDERS = {"PR1": 55, "PR4": 25, "PR2": 8, "PR3": 7, "PR5": 5}
MOVE_REASONS = {"CARPL": 30, "CLOSE": 10, "ALLEG": 5, "STAND": 15, "APPRR": 10, "CREQB": 10,
                "LAREQ": 10, "OTHER": 10}  # fmt: skip
CEASED = {"E11": 30, "E12": 12, "E41": 10, "E45": 8, "E13": 15, "E8": 25}
PERMANENCE = ("Long-term fostering", "Adoption", "Return to family", "Special guardianship",
              "Residential care")  # fmt: skip
SUITABLE = {"U": 30, "T": 20, "S": 20, "K": 10, "R": 10, "W": 5, "G": 5}
UNSUITABLE = {"B": 40, "Z": 30, "X": 20, "V": 10}
EET = ("F1", "F2", "F3", "F4", "F5", "P1", "P2", "P3", "P4", "P5")
NEET = ("G4", "G5", "G6")
IN_TOUCH_OTHER = {"NO": 50, "REFU": 25, "NREQ": 15, "RHOM": 10}


def _placements(ctx: Context, start: date, last: date) -> list[date]:
    """The start of each placement in a period: most children stay put, a few move often."""
    rng = ctx.rng
    roll = rng.random()
    per_year = 0.2 if roll < 0.78 else 0.8 if roll < 0.93 else 2.6
    starts, day = [start], max(start, ctx.plan.start - timedelta(days=800))
    while True:
        day += timedelta(days=max(1, int(rng.expovariate(per_year / 365))))
        if day > last:
            return starts
        if day > start:
            starts.append(day)


def _visits(ctx: Context, kid: Kid, placements: list[date], last: date, floor: date) -> None:
    rng = ctx.rng
    for index, placed in enumerate(placements):
        until = placements[index + 1] if index + 1 < len(placements) else last + timedelta(days=1)
        day = placed + timedelta(days=rng.randint(1, 6) if rng.random() < 0.95 else 9)
        while day < until:
            if day >= floor:
                ctx.add("cla_visits", kid, visit_date=day, kind="social_worker")
            late = rng.random() < 4 * (1 - ctx.plan.rate(day, "cla_visit_ok"))
            gap = rng.randint(24, 41) if day < add_months(placed, 12) else rng.randint(50, 88)
            day += timedelta(days=gap + (rng.randint(8, 35) if late else 0))
    day = placements[0] + timedelta(days=rng.randint(10, 40))
    while day <= last:
        if day >= floor:
            ctx.add("cla_visits", kid, visit_date=day, kind="iro")
        day += timedelta(days=rng.randint(60, 120))


def _reviews(ctx: Context, kid: Kid, start: date, last: date, floor: date) -> None:
    rng, wd = ctx.rng, ctx.wd
    late = rng.random() < 0.04
    review = wd.add(start, rng.randint(21, 30) if late else rng.randint(8, 20))
    months = 3
    while review <= last:
        if review >= floor:
            ctx.add("cla_reviews", kid, review_date=review, review_code="PN1")
        review = add_months(review, months) - timedelta(days=rng.randint(1, 20))
        if rng.random() < ctx.plan.rate(review, "late_review"):
            review += timedelta(days=rng.randint(25, 50))
        months = 6


def _checks(ctx: Context, kid: Kid, start: date, last: date, floor: date) -> None:
    rng = ctx.rng
    for kind, every in (("health", (300, 362)), ("dental", (150, 300))):
        day = start + timedelta(days=rng.randint(7, 28))
        while day <= last:
            if day >= floor:
                ctx.add("cla_health_checks", kid, check_date=day, kind=kind)
            late = rng.random() < (0.3 if kind == "health" else 0.2)
            day += timedelta(days=rng.randint(*every) + (rng.randint(20, 150) if late else 0))


def _missing(ctx: Context, kid: Kid, start: date, last: date, floor: date) -> list[date]:
    rng = ctx.rng
    if kid.dob is None or (ctx.today - kid.dob).days < 11 * 365 or rng.random() > 0.22:
        return []
    starts, day = [], max(start, floor)
    while True:
        day += timedelta(days=int(rng.expovariate(3.5 / 365)) + 1)
        if day > last:
            return starts
        end = day + timedelta(days=rng.randint(0, 3))
        kind = "missing" if rng.random() < 0.8 else "absent"
        ctx.add("missing_episodes", kid, start_date=day, end_date=min(end, last), kind=kind)
        starts.append(day)


def period_of_care(ctx: Context, kid: Kid, start: date, end: date | None,
                   legal: str | None = None) -> None:  # fmt: skip
    """A period of care from *start* (ending on *end*, or open) with everything List 8 and
    SSDA903 hold about it."""
    rng, plan = ctx.rng, ctx.plan
    legal = legal or pick(ctx, LEGAL)
    need = f"N{rng.choice((1, 1, 1, 1, 1, 2, 3, 4, 4, 5, 6, 8))}"
    ctx.add("cla_periods", kid, start_date=start, end_date=end, legal_status=legal,
            legal_status_start=start, category_of_need=need, uasc=rng.random() < 0.06,
            second_period=False, permanence_plan=rng.choice(PERMANENCE),
            reason_ceased=pick(ctx, CEASED) if end else None)  # fmt: skip
    if legal in ("V3", "V4"):
        return
    last = min(end - timedelta(days=1) if end else ctx.today, ctx.today)
    floor = plan.start - timedelta(days=400)
    placements = _placements(ctx, start, last)
    for index, placed in enumerate(placements):
        following = placements[index + 1] if index + 1 < len(placements) else end
        kind = pick(ctx, PLACEMENTS)
        if following is not None and following < floor:
            continue
        ctx.add("cla_placements", kid, start_date=placed, placement_type=kind,
                provider=pick(ctx, PROVIDERS), urn=f"SC{rng.randint(100000, 999999)}",
                location="in" if rng.random() < 0.7 else "out",
                placement_la=None)  # fmt: skip
        ctx.add("cla_episodes", kid, start_date=placed, end_date=following,
                reason_new_episode="S" if index == 0 else "P", legal_status=legal,
                category_of_need=need, placement_type=kind, placement_provider="PR1",
                reason_ended=("P1" if index + 1 < len(placements) else pick(ctx, CEASED))
                if following else None,
                reason_place_change=pick(ctx, MOVE_REASONS) if index else None,
                urn=None)  # fmt: skip
    _visits(ctx, kid, placements, last, floor)
    _reviews(ctx, kid, start, last, floor)
    _checks(ctx, kid, start, last, floor - timedelta(days=200))
    missing = _missing(ctx, kid, start, last, plan.start - timedelta(days=366))
    for as_of in plan.checkpoints:
        if not (start <= as_of and (end is None or end > as_of)):
            continue
        year_ago = add_months(as_of, -12)
        placed = sum(1 for p in placements if year_ago < p <= as_of)
        placed += any(p <= year_ago for p in placements)
        away = sum(1 for m in missing if year_ago < m <= as_of)
        ctx.add("cla_statuses", kid, as_of=as_of, placements_last_12_months=placed,
                missing_last_12_months=away, absent_last_12_months=0,
                return_interview_offered=bool(away), return_interview_accepted=bool(away)
                and rng.random() < 0.6)  # fmt: skip


def ended_period(ctx: Context, end: date) -> Kid:
    """A period of care that ended on *end*; returns the child (their case closed with it)."""
    rng = ctx.rng
    days = rng.randint(3, 60) if rng.random() < 0.25 else int(rng.triangular(60, 2500, 400))
    kid = ctx.new_kid("children_in_care")
    start = end - timedelta(days=days)
    opened = start - timedelta(days=rng.randint(0, 400))
    if start >= ctx.plan.start - timedelta(days=30):
        opened = assess_backward(ctx, kid, start - timedelta(days=rng.randint(0, 20)))
        referral(ctx, kid, opened)
    period_of_care(ctx, kid, start, end)
    closed = min(ctx.today - timedelta(days=1), end + timedelta(days=rng.randint(0, 30)))
    cin_episode(ctx, kid, opened, closed, "RC1" if rng.random() < 0.12 else "RC8")
    ctx.close_case(kid, "cla", opened, closed)
    return kid


def care_leaver(ctx: Context, kid: Kid, opened: date) -> None:
    """List 9 at each as-of date since the young person's case opened; their status carries
    over from month to month, a few changing each month."""
    rng = ctx.rng
    state: dict[str, object] = {}
    uasc = rng.random() < 0.1
    for as_of in ctx.plan.checkpoints:
        if as_of < opened:
            continue
        if not state or rng.random() < 0.12:
            rates = ctx.plan.rates[ctx.plan.month_of(as_of)]
            touch = "YES" if rng.random() < rates.in_touch else pick(ctx, IN_TOUCH_OTHER)
            suitable = rng.random() < rates.suitable
            state = {
                "in_touch": touch,
                "accommodation": pick(ctx, SUITABLE if suitable else UNSUITABLE),
                "accommodation_suitable": suitable,
                "activity": rng.choice(EET) if rng.random() < rates.eet else rng.choice(NEET),
            }
        contact = max(opened, as_of - timedelta(days=rng.randint(0, 50)))
        review = max(opened, as_of - timedelta(days=rng.randint(0, 170)))
        ctx.add("care_leavers", kid, as_of=as_of, eligibility="Former relevant",
                latest_contact=contact if state["in_touch"] == "YES" else None,
                pathway_plan_review=review, uasc=uasc, **state)  # fmt: skip
