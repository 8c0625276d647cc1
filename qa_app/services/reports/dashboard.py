"""Live grade-trend dashboards (heads of service, DCS, PSW): the report's own figures, live.

Every number here comes from the same functions as the monthly report (``reports.figures``,
``reports.trends``), so a dashboard and the report agree for the same month and scope.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select

from qa_app.cache import cached_json
from qa_app.extensions import db
from qa_app.models import (
    Assignment,
    Audit,
    AuditEvent,
    Case,
    Child,
    ReportVersion,
    SampleItem,
    Team,
)
from qa_app.models.vocab import COHORTS
from qa_app.services.platform.months import (
    MonthError,
    check,
    ending_with,
    months_back,
    previous,
    span,
)
from qa_app.services.platform.spc import VARIATION_SHORT
from qa_app.services.reports import figures, files
from qa_app.services.reports.counted import dashboard_counted
from qa_app.services.reports.figures import MIN_N, Filters, reported_grade, submitted_audits
from qa_app.services.reports.scope import ReportScope, ScopeError, parse_scope, within
from qa_app.services.reports.tables import DEFAULT_INADEQUATE_TARGET, section_titles
from qa_app.services.reports.trends import (
    grade_trends,
    monthly_grade_counts,
    stored_xmr,
    team_cohort_counts,
    trend_point,
    trends_by,
)

MAX_MONTHS = 24
DRILL_LIMIT = 200
CACHE_SECONDS = 3600


@dataclass(frozen=True)
class DashboardQuery:
    from_month: str
    to_month: str
    filters: Filters
    section: str | None = None

    def months(self) -> list[str]:
        """The months from..to, oldest first (at most MAX_MONTHS); ScopeError if backwards."""
        check(self.from_month, ScopeError)
        count = span(self.from_month, check(self.to_month, ScopeError))
        if count < 1:
            raise ScopeError(
                f"months: {self.from_month} is after {self.to_month}; choose an earlier start"
            )
        if count > MAX_MONTHS:
            raise ScopeError(f"months: at most {MAX_MONTHS} months at once")
        return ending_with(self.to_month, count)


def data_stamp() -> str:
    """Changes whenever an audit's reported figures may have changed.

    Every change to an audit (submission, moderation, a dispute decided, a reopening) is
    recorded as an ``AuditEvent`` (models.audits), so the newest event id, with the newest audit
    id, moves whenever a grade can. Both are primary-key lookups: scanning ``audits`` itself
    costs 100+ ms at 100,000 audits because each row carries its answers JSON.
    """
    row = db.session.execute(
        select(
            select(func.max(AuditEvent.id)).scalar_subquery(),
            select(func.max(Audit.id)).scalar_subquery(),
        )
    ).one()
    return f"{row[0] or 0}:{row[1] or 0}"


def _cached_trends(scope: ReportScope, months: list[str], f: Filters) -> dict:
    """The dashboard's trends (overall, by team, cohort and section, as dicts), cached in Redis
    per data stamp.

    They only change when an audit is submitted or moderated, and the stamp sees both, so a
    cached answer is always the current one. The trends themselves are cached, not only the
    counts: a large locality has hundreds of teams, each with twelve Wilson intervals and its
    XmR result (only its variation mark is kept for a team, cohort or section row). Without
    Redis they are computed every time.
    """

    def compute() -> dict:
        cube = team_cohort_counts(months, scope, filters=f)
        sections = monthly_grade_counts(months, scope, by="section", filters=f)
        return {
            "trends": [t.as_dict() for t in grade_trends(months, scope, counts=cube["all"])],
            "by_team": [t.as_row() for t in trends_by(months, scope, "team", counts=cube["team"])],
            "by_cohort": [
                t.as_row() for t in trends_by(months, scope, "cohort", counts=cube["cohort"])
            ],
            "by_section": [
                t.as_row() for t in trends_by(months, scope, "section", counts=sections)
            ],
        }

    # The key names the shape: trends cached before the XmR charts must not be read as theirs.
    return cached_json(
        "dashboard-trends-xmr",
        [scope.key, months, f.cohort, f.random_only, data_stamp()],
        compute,
        seconds=CACHE_SECONDS,
    )


def _chart_trend(trends: dict, section: str | None, months: list[str]) -> dict:
    """The trend the dashboard charts: the chosen section's grade, else the overall grade."""
    if not section:
        return trends["trends"][0]
    found = next((t for t in trends["by_section"] if t["key"] == section), None)
    empty = [trend_point(month, 0, 0).as_dict() for month in months]
    return found or {"key": section, "title": section, "points": empty}


def dashboard(scope: ReportScope, query: DashboardQuery, *, as_of, with_drill=True) -> dict:
    """Headline, the charted trend with what it counts in words, trends by team, cohort and
    section, and the drill-down list of audits."""
    months = query.months()
    month = query.to_month
    f = query.filters
    titles = section_titles()
    trends = _cached_trends(scope, months, f)
    grades = figures.grade_summary(month, scope, target=DEFAULT_INADEQUATE_TARGET, filters=f)
    by_section = [
        {**t, "title": titles.get(t["key"], t["key"])}
        for t in trends["by_section"]
        if not query.section or t["key"] == query.section
    ]
    return {
        "scope": scope,
        "months": months,
        "month": month,
        "completion": figures.completion(month, scope, as_of=as_of, filters=f)[0],
        "completion_by_team": figures.completion(month, scope, as_of=as_of, by="team", filters=f),
        "grades": grades,
        "trends": trends["trends"],
        "chart_trend": _chart_trend(trends, query.section, months),
        "counted": dashboard_counted(
            f,
            titles.get(query.section, query.section) if query.section else None,
            scope_label=scope.label,
            min_n=MIN_N,
        ),
        "by_team": trends["by_team"],
        "by_cohort": [{**t, "title": COHORTS.get(t["key"], t["key"])} for t in trends["by_cohort"]],
        "by_section": by_section,
        "drill": drill_down(month, scope, f, total=grades["n"]) if with_drill else None,
        "sections": titles,
    }


def drill_down(month: str, scope: ReportScope, filters: Filters, *, total: int) -> dict:
    """The month's submitted audits behind the figures (child ids only), newest first.

    *total* is how many there are (the grade summary's n, from the same filters).
    """
    # The newest DRILL_LIMIT first, then their case, child and team: joining those for every
    # audit of a large locality's month costs more than the sort.
    newest = (
        submitted_audits(month, scope, filters)
        .add_columns(
            Audit.id.label("audit_id"),
            Audit.case_id,
            SampleItem.team_id,
            SampleItem.cohort,
            SampleItem.selection,
            Assignment.tier,
            reported_grade().label("grade"),
            Audit.moderated_grade,
            Audit.submitted_at,
        )
        .order_by(Audit.submitted_at.desc(), Audit.id.desc())
        .limit(DRILL_LIMIT)
        .subquery()
    )
    rows = db.session.execute(
        select(
            newest.c.audit_id,
            newest.c.case_id,
            Child.la_child_id.label("child_id"),
            Team.name.label("team"),
            newest.c.cohort,
            newest.c.selection,
            newest.c.tier,
            newest.c.grade,
            newest.c.moderated_grade,
            newest.c.submitted_at,
        )
        .join(Case, Case.id == newest.c.case_id)
        .join(Child, Child.id == Case.child_id)
        .outerjoin(Team, Team.id == newest.c.team_id)
        .order_by(newest.c.submitted_at.desc(), newest.c.audit_id.desc())
    ).all()
    return {"total": total or 0, "rows": rows, "limit": DRILL_LIMIT}


def report_status(limit: int = 6) -> list[ReportVersion]:
    """The latest council report versions, for the PSW's dashboard."""
    return list(
        db.session.scalars(
            select(ReportVersion)
            .where(ReportVersion.scope == "council")
            .order_by(ReportVersion.month.desc(), ReportVersion.version.desc())
            .limit(limit)
        )
    )


def page(args: Mapping[str, str], mine: ReportScope, *, today: date) -> dict:
    """The dashboard page for its query-string *args* (``scope``, ``from``, ``to``, ``cohort``,
    ``random``, ``section``) within the user's scope *mine*: ``query``, ``data``, ``chart`` and
    ``errors``. An argument that cannot be used is named in ``errors`` and its default shown
    (the twelve months to last month, the user's own scope, every cohort)."""
    default_to = previous(today)
    errors = []
    try:
        scope = parse_scope(args["scope"]) if args.get("scope") else mine
        if not within(mine, scope):
            raise ScopeError(f"scope {args['scope']!r}: outside what you may see")
    except ScopeError as exc:
        errors.append(str(exc).capitalize())
        scope = mine
    to_month = args.get("to") or default_to
    try:
        from_month = args.get("from") or months_back(to_month, 12)
    except MonthError:
        from_month = default_to  # the bad "to" month is reported below
    cohort = args.get("cohort") or None
    if cohort is not None and cohort not in COHORTS:
        errors.append(f"Cohort {cohort!r}: choose one of the listed cohorts")
        cohort = None
    query = DashboardQuery(
        from_month=from_month,
        to_month=to_month,
        filters=Filters(cohort=cohort, random_only=args.get("random") == "1"),
        section=args.get("section") or None,
    )
    try:
        data = dashboard(scope, query, as_of=today)
    except ScopeError as exc:
        errors.append(str(exc).capitalize())
        query = DashboardQuery(
            months_back(default_to, 12), default_to, query.filters, query.section
        )
        data = dashboard(scope, query, as_of=today)
    spc = stored_xmr(data["chart_trend"], None)
    counted = data["counted"]
    chart = files.trend_chart(data["chart_trend"], spc, counted.chart_title, MIN_N, counted.measure)
    return {
        "query": query,
        "data": data,
        "chart": chart,
        "spc": spc,
        "variation_short": VARIATION_SHORT,
        "errors": errors,
    }
