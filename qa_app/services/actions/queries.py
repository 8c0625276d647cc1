"""Reading actions: who may see which, the owner's and team manager's lists and the PSW
dashboard (its exports are in ``exports``). Every list is filtered by ``action_scope`` (or a
narrower rule)."""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import case, func, or_, select, text, true
from sqlalchemy.orm import joinedload
from sqlalchemy.sql.elements import ColumnElement

from qa_app.cache import cached_json
from qa_app.extensions import db
from qa_app.models import Action, ActionEvent, Audit, Case, Import, Locality, Team, User
from qa_app.models.actions import OPEN_STATUSES, PRIORITIES, SOURCES
from qa_app.permissions import case_scope, is_council_wide, team_scope
from qa_app.textnorm import is_digits

AGE_BANDS = {  # raised this many days ago (lower bound inclusive)
    "0-30": "Under 30 days",
    "31-90": "31 to 90 days",
    "91-180": "91 to 180 days",
    "181+": "Over 180 days",
}
PRIORITY_LABELS = {"safeguarding": "Safeguarding", "high": "High", "normal": "Normal"}
SOURCE_LABELS = {
    "audit": "Audit",
    "moderation": "Moderation",
    "tier3": "Tier 3 review",
    "safeguarding": "Safeguarding concern",
}
PAGE_SIZE = 50
SHOWN = 15  # rows per dashboard group table


class FilterError(ValueError):
    """A dashboard or export filter that is not one of the allowed values."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


def action_scope(user: User) -> ColumnElement[bool]:
    """SQL condition on ``Action`` (joined to ``Case``): the actions *user* may open."""
    if is_council_wide(user):
        return true()
    return or_(
        Action.owner_id == user.id,
        Action.owner_id.in_(select(User.id).where(User.line_manager_id == user.id)),
        Action.audit_id.in_(select(Audit.id).where(Audit.auditor_id == user.id)),
        case_scope(user),
    )


def visible_action(user: User, action_id: int) -> Action | None:
    """The action if *user* may see it, else None (the view answers 404 either way)."""
    return db.session.scalar(
        select(Action)
        .join(Case, Case.id == Action.case_id)
        .where(Action.id == action_id, action_scope(user))
    )


def _ordered(query, today: date):
    rank = case({p: i for i, p in enumerate(PRIORITIES)}, value=Action.priority)
    overdue = case((Action.due_on < today, 0), else_=1)
    return query.order_by(overdue, rank, Action.due_on, Action.id)


def my_actions(user: User, today: date) -> tuple[list[Action], list[Action]]:
    """(to do, done) for the owner: open work overdue first, then the last 50 finished."""
    base = (
        select(Action)
        .options(joinedload(Action.case).joinedload(Case.child))
        .where(Action.owner_id == user.id)
    )
    todo = db.session.scalars(_ordered(base.where(Action.status.in_(OPEN_STATUSES)), today))
    done = db.session.scalars(
        base.where(Action.status.in_(("completed", "verified", "cancelled")))
        .order_by(Action.id.desc())
        .limit(50)
    )
    return list(todo), list(done)


def team_condition(user: User) -> ColumnElement[bool]:
    """Actions a team manager looks after: their team's cases and their staff's actions."""
    clauses = [Action.owner_id.in_(select(User.id).where(User.line_manager_id == user.id))]
    if user.team_id is not None:
        clauses.append(Case.team_id == user.team_id)
    return or_(*clauses)


def team_actions(user: User, today: date) -> tuple[list[Action], list[Action]]:
    """(to verify, open) for a team manager."""
    base = (
        select(Action)
        .join(Case, Case.id == Action.case_id)
        .options(joinedload(Action.owner), joinedload(Action.case).joinedload(Case.child))
        .where(team_condition(user))
    )
    to_verify = db.session.scalars(
        base.where(Action.status == "completed").order_by(Action.completed_at, Action.id)
    )
    open_ = db.session.scalars(_ordered(base.where(Action.status.in_(OPEN_STATUSES)), today))
    return list(to_verify), list(open_)


def team_members(user: User) -> list[User]:
    """People a team manager may hand an action to: their team and their direct reports."""
    clauses = [User.line_manager_id == user.id, User.id == user.id]
    if user.team_id is not None:
        clauses.append(User.team_id == user.team_id)
    return list(
        db.session.scalars(
            select(User)
            .where(or_(*clauses), User.active.is_(True), User.pending.is_(False))
            .order_by(User.name)
        )
    )


def possible_owners(user: User, action: Action) -> list[User]:
    """Whom *user* may give *action* to: a team manager, the rest of their team."""
    people = team_members(user) if "team_manager" in user.roles else []
    return [u for u in people if u.id != action.owner_id]


def history_people(action: Action) -> dict[int, User]:
    """Everyone the action's history names (who did what, owners before and after), by id."""
    ids = {e.by_id for e in action.events if e.by_id}
    for e in action.events:
        for key in ("from_owner_id", "to_owner_id", "owner_id"):
            if isinstance(e.detail.get(key), int):
                ids.add(e.detail[key])
    return {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(ids)))}


@dataclass
class DashboardFilters:
    locality: int | None = None
    team: int | None = None
    owner: int | None = None
    priority: str | None = None
    age: str | None = None
    source: str | None = None
    overdue: bool = False

    @classmethod
    def parse(cls, args) -> "DashboardFilters":
        """From query-string values; unknown values raise FilterError naming the filter."""

        def number(name: str) -> int | None:
            value = (args.get(name) or "").strip()
            if not value:
                return None
            if not is_digits(value):
                raise FilterError(name, f"The {name} filter must be a number, not {value!r}")
            return int(value)

        def one_of(name: str, allowed) -> str | None:
            value = (args.get(name) or "").strip() or None
            if value is not None and value not in allowed:
                raise FilterError(name, f"The {name} filter must be one of: {', '.join(allowed)}")
            return value

        return cls(
            locality=number("locality"),
            team=number("team"),
            owner=number("owner"),
            priority=one_of("priority", PRIORITIES),
            age=one_of("age", tuple(AGE_BANDS)),
            source=one_of("source", SOURCES),
            overdue=(args.get("overdue") or "") in ("1", "yes", "true"),
        )

    def as_args(self, **changes) -> dict:
        values = {**self.__dict__, **changes}
        return {k: ("1" if v is True else v) for k, v in values.items() if v not in (None, False)}


@dataclass
class Dashboard:
    total: int
    overdue: int
    rows: list[Action]
    page: int
    pages: int
    groups: dict[str, list[tuple[object, str, int]]] = field(default_factory=dict)


def _age_band(today: date) -> ColumnElement:
    def since(days: int) -> datetime:
        return datetime.combine(today - timedelta(days=days), time.min)

    return case(
        (Action.raised_at >= since(30), "0-30"),
        (Action.raised_at >= since(90), "31-90"),
        (Action.raised_at >= since(180), "91-180"),
        else_="181+",
    )


def outstanding(user: User, filters: DashboardFilters, today: date, *columns):
    """The filtered, scoped outstanding actions over Action ⋈ Case ⋈ Team, selecting
    *columns* (default: the action id). The case and team are joined only when the scope, a
    filter or a column needs them: every action has a case, so without them the rows are the
    same and a council-wide list reads ``actions`` alone."""
    council_wide = is_council_wide(user)
    needs_team = bool(columns) or not council_wide or filters.locality is not None
    query = select(*(columns or (Action.id,))).select_from(Action)
    if needs_team or filters.team is not None:
        query = query.join(Case, Case.id == Action.case_id)
    if needs_team:
        query = query.join(Team, Team.id == Case.team_id, isouter=True)
    query = query.where(Action.status.in_(OPEN_STATUSES))
    if not council_wide:
        query = query.where(team_scope(user))
    if filters.locality is not None:
        query = query.where(Team.locality_id == filters.locality)
    if filters.team is not None:
        query = query.where(Case.team_id == filters.team)
    if filters.owner is not None:
        query = query.where(Action.owner_id == filters.owner)
    if filters.priority:
        query = query.where(Action.priority == filters.priority)
    if filters.source:
        query = query.where(Action.source == filters.source)
    if filters.age:
        query = query.where(_age_band(today) == filters.age)
    if filters.overdue:
        query = query.where(Action.due_on < today)
    return query


GROUP_KEYS = ("locality", "team", "owner", "priority", "age", "source")


def dashboard(user: User, filters: DashboardFilters, today: date, page: int = 1) -> Dashboard:
    """Outstanding actions in *user*'s scope: counts by locality, team, owner, priority, age band
    and source (each over the same filtered set as the list), and one page of the list,
    overdue first."""
    counts = _group_counts(user, filters, today)
    total = sum(n for _k, n, _o in counts["priority"])
    overdue = sum(o for _k, _n, o in counts["priority"])
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(page, 1), pages)
    listed = _ordered(outstanding(user, filters, today), today)
    ids = list(db.session.scalars(listed.limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)))
    by_id = {
        a.id: a
        for a in db.session.scalars(
            select(Action)
            .options(
                joinedload(Action.owner),
                joinedload(Action.case).joinedload(Case.team),
                joinedload(Action.case).joinedload(Case.child),
            )
            .where(Action.id.in_(ids))
        )
    }
    rows = [by_id[i] for i in ids]
    return Dashboard(total, overdue, rows, page, pages, _labelled(counts))


def data_stamp() -> list:
    """Moves whenever an outstanding action's count can change group or filter: every change
    to an action writes an ``ActionEvent`` (raising one too; bulk loads add new ids), cases
    change team only by an import, and teams change locality, merge or go with a new
    ``updated_at`` or a smaller count. All are primary-key or tiny-table lookups."""
    row = db.session.execute(
        select(
            select(func.max(ActionEvent.id)).scalar_subquery(),
            select(func.max(Action.id)).scalar_subquery(),
            select(func.max(Import.id)).scalar_subquery(),
            select(func.max(Team.updated_at)).scalar_subquery(),
            select(func.count(Team.id)).scalar_subquery(),
        )
    ).one()
    return [str(value) for value in row]


def _group_counts(user: User, filters: DashboardFilters, today: date) -> dict[str, list]:
    """{group: [(key, count, overdue count)]}, cached in Redis per scope, filters, day and
    data stamp (so the cached counts are the current ones, matching the list)."""
    # What team_scope reads: the same scope shares one entry, a changed scope another.
    scope = (
        "council"
        if is_council_wide(user)
        else [sorted(user.roles), user.effective_locality_id, user.team_id]
    )
    key = [scope, filters.as_args(), today.isoformat(), data_stamp()]
    raw = cached_json(
        "actions-dashboard", key, lambda: _count_groups(user, filters, today), seconds=600
    )
    return {group: [tuple(row) for row in rows] for group, rows in raw.items()}


def _count_groups(user: User, filters: DashboardFilters, today: date) -> dict[str, list]:
    """One scan with GROUPING SETS on PostgreSQL, one GROUP BY per group elsewhere."""
    inner = outstanding(
        user,
        filters,
        today,
        Team.locality_id.label("locality"),
        Case.team_id.label("team"),
        Action.owner_id.label("owner"),
        Action.priority.label("priority"),
        _age_band(today).label("age"),
        Action.source.label("source"),
        case((Action.due_on < today, 1), else_=0).label("late"),
    ).subquery()
    cols = [inner.c[k] for k in GROUP_KEYS]
    counts: dict[str, list] = {k: [] for k in GROUP_KEYS}
    if db.session.connection().dialect.name == "postgresql":
        # Six hash aggregates over up to 100,000 rows: give them room to stay in memory.
        db.session.execute(text("SET LOCAL work_mem = '32MB'"))
        query = select(
            *cols,
            *(func.grouping(c) for c in cols),
            func.count(),
            func.sum(inner.c.late),
        ).group_by(func.grouping_sets(*cols))
        for row in db.session.execute(query):
            flags = row[len(cols) : 2 * len(cols)]
            index = list(flags).index(0)
            counts[GROUP_KEYS[index]].append((row[index], row[-2], int(row[-1] or 0)))
        return counts
    for key, col in zip(GROUP_KEYS, cols, strict=True):
        query = select(col, func.count(), func.sum(inner.c.late)).group_by(col)
        counts[key] = [(k, n, int(o or 0)) for k, n, o in db.session.execute(query)]
    return counts


def _labelled(counts: dict[str, list]) -> dict[str, list[tuple[object, str, int]]]:
    """Each group's rows as (key, label, count): fixed vocabularies in their own order; places
    and people by count, named for the first SHOWN only (the page lists those)."""
    fixed = {"priority": PRIORITY_LABELS, "age": AGE_BANDS, "source": SOURCE_LABELS}
    models = {"locality": Locality, "team": Team, "owner": User}
    groups = {}
    for key, rows in counts.items():
        if key in fixed:
            order = list(fixed[key])
            rows = sorted(rows, key=lambda r, o=order: o.index(r[0]) if r[0] in o else len(o))
            groups[key] = [(k, fixed[key].get(k, k), n) for k, n, _o in rows]
            continue
        rows = sorted(rows, key=lambda r: (-r[1], r[0] is None, r[0] or 0))
        names = _names(models[key], [k for k, _n, _o in rows[:SHOWN]])
        groups[key] = [
            (k, names.get(k, "No team" if k is None else "") if i < SHOWN else "", n)
            for i, (k, n, _o) in enumerate(rows)
        ]
    return groups


def _names(model, ids: list) -> dict:
    wanted = [i for i in ids if i is not None]
    if not wanted:
        return {}
    return dict(db.session.execute(select(model.id, model.name).where(model.id.in_(wanted))).all())
