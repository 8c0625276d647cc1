"""How far auditors agree with moderators: exact and within-one agreement, quadratic-weighted
Cohen's kappa with its 95% confidence interval, and the optimism index.

A pair is (auditor's code, moderator's blind code), grades as codes 1 (Outstanding) to 4
(Inadequate). The moderator's *blind* grade is used, not the moderated one: the moderated grade
is made after seeing the auditor's, so it is not an independent rating. The optimism index is
the mean of auditor code minus moderator code: negative means auditors grade more generously.

Kappa and its interval come from statsmodels (``cohens_kappa`` with quadratic weights; the
interval is its asymptotic one, kappa ± 1.96 standard errors). Pairs are fetched with one SQL
query per breakdown; ``figures`` is pure so the monthly report can call it on its own pairs.
Pairs are grouped by the month of the audit's cycle.
"""

import math
import warnings
from collections import defaultdict
from collections.abc import Iterable, Sequence

import numpy as np
from sqlalchemy import select

from qa_app.extensions import db
from qa_app.models import (
    Assignment,
    Audit,
    AuditCycle,
    AuditSectionGrade,
    Case,
    Locality,
    Moderation,
    ModerationSectionGrade,
    SampleItem,
    Team,
    ToolkitVersion,
    User,
)

Pair = tuple[int, int]  # (auditor code, moderator code)
DEFAULT_SMALL_N = 10


def _kappa(pairs: Sequence[Pair]) -> tuple[float | None, float | None, float | None]:
    from statsmodels.stats.inter_rater import cohens_kappa  # noqa: PLC0415 - slow import

    table = np.zeros((4, 4))
    for auditor, moderator in pairs:
        table[auditor - 1, moderator - 1] += 1
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)
        result = cohens_kappa(table, wt="quadratic")
    # Undefined (nan) when there is nothing to agree about, e.g. every pair in one category;
    # the interval is undefined where the variance estimate is (or is zero: one pair).
    kappa = float(result["kappa"]) if math.isfinite(result["kappa"]) else None
    if kappa is None or not math.isfinite(result["std_kappa"]) or result["std_kappa"] <= 0:
        return kappa, None, None
    return kappa, float(result["kappa_low"]), float(result["kappa_upp"])


def figures(
    pairs: Iterable[Pair], *, small_n: int = DEFAULT_SMALL_N, with_kappa: bool = True
) -> dict:
    """The agreement figures for *pairs*; None where undefined. ``small_n`` flags (never
    hides) figures from fewer pairs than that. Without *with_kappa* the kappa keys are None
    (for many tiny groups, e.g. an auditor's month, where kappa means little and costs most)."""
    pairs = [(int(a), int(m)) for a, m in pairs]
    n = len(pairs)
    if n == 0:
        return {
            "pairs": 0,
            "exact_agreement": None,
            "within_one": None,
            "kappa_quadratic": None,
            "kappa_ci": [None, None],
            "optimism_index": None,
            "small_n": True,
        }
    kappa, low, high = _kappa(pairs) if with_kappa else (None, None, None)
    return {
        "pairs": n,
        "exact_agreement": sum(a == m for a, m in pairs) / n,
        "within_one": sum(abs(a - m) <= 1 for a, m in pairs) / n,
        "kappa_quadratic": kappa,
        "kappa_ci": [low, high],
        "optimism_index": sum(a - m for a, m in pairs) / n,
        "small_n": n < small_n,
    }


def _scoped(query, *, month_from: str, month_to: str, locality_ids, team_ids):
    query = query.where(
        AuditCycle.month >= month_from,
        AuditCycle.month <= month_to,
        Moderation.blind_at.is_not(None),
    )
    if locality_ids:
        query = query.where(Team.locality_id.in_(locality_ids))
    if team_ids:
        query = query.where(Case.team_id.in_(team_ids))
    return query


def _joined(query):
    return (
        query.join(Audit, Audit.id == Moderation.audit_id)
        .join(Assignment, Assignment.id == Audit.assignment_id)
        .join(SampleItem, SampleItem.id == Assignment.sample_item_id)
        .join(AuditCycle, AuditCycle.id == SampleItem.cycle_id)
        .join(Case, Case.id == Audit.case_id)
        .outerjoin(Team, Team.id == Case.team_id)
    )


def overall_pairs(
    month_from: str,
    month_to: str,
    *,
    locality_ids: Sequence[int] | None = None,
    team_ids: Sequence[int] | None = None,
) -> list[tuple]:
    """(month, auditor id, locality id, auditor code, moderator code) for overall grades."""
    query = _joined(
        select(
            AuditCycle.month,
            Audit.auditor_id,
            Team.locality_id,
            Audit.overall_grade,
            Moderation.blind_overall_grade,
        ).select_from(Moderation)
    ).where(Audit.overall_grade.is_not(None))
    query = _scoped(
        query,
        month_from=month_from,
        month_to=month_to,
        locality_ids=locality_ids,
        team_ids=team_ids,
    )
    return [tuple(row) for row in db.session.execute(query)]


def section_pairs(
    month_from: str,
    month_to: str,
    *,
    locality_ids: Sequence[int] | None = None,
    team_ids: Sequence[int] | None = None,
) -> list[tuple]:
    """(month, auditor id, section key, auditor code, moderator code) for graded sections
    (a section either side marked not applicable is no pair)."""
    query = _joined(
        select(
            AuditCycle.month,
            Audit.auditor_id,
            ModerationSectionGrade.section_key,
            AuditSectionGrade.grade,
            ModerationSectionGrade.blind_grade,
        )
        .select_from(Moderation)
        .join(ModerationSectionGrade, ModerationSectionGrade.moderation_id == Moderation.id)
    ).join(
        AuditSectionGrade,
        (AuditSectionGrade.audit_id == Moderation.audit_id)
        & (AuditSectionGrade.section_key == ModerationSectionGrade.section_key),
    )
    query = query.where(
        AuditSectionGrade.grade.is_not(None), ModerationSectionGrade.blind_grade.is_not(None)
    )
    query = _scoped(
        query,
        month_from=month_from,
        month_to=month_to,
        locality_ids=locality_ids,
        team_ids=team_ids,
    )
    return [tuple(row) for row in db.session.execute(query)]


def _grouped(rows, key_index: int, small_n: int, *, with_kappa: bool = True) -> dict:
    groups: dict = defaultdict(list)
    for row in rows:
        groups[row[key_index]].append((row[-2], row[-1]))
    return {
        key: figures(pairs, small_n=small_n, with_kappa=with_kappa) for key, pairs in groups.items()
    }


def agreement(
    month_from: str,
    month_to: str,
    *,
    locality_ids: Sequence[int] | None = None,
    team_ids: Sequence[int] | None = None,
    small_n: int = DEFAULT_SMALL_N,
) -> dict:
    """Agreement between auditors and moderators for cycles *month_from*..*month_to*
    (YYYY-MM, inclusive), optionally limited to localities or teams.

    Returns ``overall`` (the overall grade), ``by_month``, ``by_auditor`` (with name and email;
    without kappa),
    ``by_locality``, ``by_section`` (section grades) and ``by_auditor_month`` (for trends;
    keyed "<auditor id>:<YYYY-MM>", without kappa).
    """
    scope = {"locality_ids": locality_ids, "team_ids": team_ids}
    overall = overall_pairs(month_from, month_to, **scope)
    sections = section_pairs(month_from, month_to, **scope)
    # Per auditor there are a few dozen pairs at most: kappa (and its interval) would be too
    # wide to read, so the per-auditor figures (README, `qa moderation stats`) leave it out.
    auditors = _grouped(overall, 1, small_n, with_kappa=False)
    people = {
        user.id: user
        for user in db.session.scalars(select(User).where(User.id.in_(list(auditors))))
    }
    localities = _grouped(overall, 2, small_n)
    names = dict(db.session.execute(select(Locality.id, Locality.name)).all())
    auditor_month: dict = defaultdict(list)
    for month, auditor_id, _loc, a, m in overall:
        auditor_month[(auditor_id, month)].append((a, m))
    return {
        "months": [month_from, month_to],
        "overall": figures([(r[3], r[4]) for r in overall], small_n=small_n),
        "by_month": [
            {"month": month} | figs for month, figs in sorted(_grouped(overall, 0, small_n).items())
        ],
        "by_auditor": sorted(
            (
                {
                    "auditor_id": auditor_id,
                    "name": people[auditor_id].name,
                    "email": people[auditor_id].email,
                }
                | figs
                for auditor_id, figs in auditors.items()
            ),
            key=lambda row: (row["name"], row["auditor_id"]),
        ),
        "by_locality": sorted(
            (
                {"locality_id": key, "name": names.get(key, "No locality")} | figs
                for key, figs in localities.items()
            ),
            key=lambda row: row["name"],
        ),
        "by_section": [
            {"section": key} | figs for key, figs in sorted(_grouped(sections, 2, small_n).items())
        ],
        "by_auditor_month": {
            f"{auditor_id}:{month}": figures(pairs, small_n=small_n, with_kappa=False)
            for (auditor_id, month), pairs in auditor_month.items()
        },
    }


def section_titles() -> dict[str, str]:
    """Section key -> title across the loaded toolkits (the latest version's title wins)."""
    titles: dict[str, str] = {}
    for document in db.session.scalars(
        select(ToolkitVersion.definition_json).order_by(ToolkitVersion.id)
    ):
        for section in document.get("sections", []):
            titles[section["key"]] = section.get("title", section["key"])
    return titles
