"""What the grade-trend dashboard's chart and tables count, in words, for its filters.

A chart titled "Audits graded good or better" while a section, a cohort or the random sample is
chosen is misread: each title, chart description and table caption names what is counted (the
section's grade or the overall grade) and over which audits (a cohort's, the random sample's).
"""

from dataclasses import dataclass

from qa_app.models.vocab import COHORTS
from qa_app.services.reports.figures import Filters

GOOD = "graded good or better"
GOOD_DEFINED = "graded good or better (outstanding or good)"


@dataclass(frozen=True)
class Counted:
    """The dashboard's words: the chart's title and measure, and each trend table's caption."""

    chart_title: str
    measure: str
    captions: dict[str, str]  # by_team, by_cohort, by_section


def _which(filters: Filters) -> tuple[str, str]:
    """The audits counted, as a title suffix and as words inside a sentence."""
    suffix, words = [], []
    if filters.cohort:
        label = COHORTS.get(filters.cohort, filters.cohort)
        suffix.append(f"{label} cohort")
        words.append(f" in the {label} cohort")
    if filters.random_only:
        suffix.append("random sample only")
        words.append(" in the random sample (thematic cases left out)")
    return "".join(f", {s}" for s in suffix), "".join(words)


def dashboard_counted(
    filters: Filters, section_title: str | None, *, scope_label: str, min_n: int
) -> Counted:
    """The words for a dashboard showing *filters*, and *section_title*'s grade when a toolkit
    section is chosen (else the audits' overall grade)."""
    suffix, among = _which(filters)
    if section_title:
        subject = f"Audits whose {section_title} section was {GOOD}"
        measure = (
            f"Each point: the % of the month's submitted audits{among} whose {section_title} "
            f"section was {GOOD_DEFINED}, of those where the section was graded. Months with "
            f"fewer than {min_n} such audits are not charted."
        )
        overall = f"Audits {GOOD} overall (not only the {section_title} section)"
        by_section = f"{subject}{suffix}"
    else:
        subject = f"Audits {GOOD}"
        measure = (
            f"Each point: the % of the month's submitted audits{among} {GOOD_DEFINED}, by "
            f"reported grade. Months with fewer than {min_n} audits are not charted."
        )
        overall = subject
        by_section = f"Audits whose section was {GOOD}, by toolkit section{suffix}"
    return Counted(
        chart_title=f"{subject}, {scope_label}{suffix} (%)",
        measure=measure,
        captions={
            "by_team": f"{overall}, by team{suffix}",
            "by_cohort": f"{overall}, by cohort{suffix}",
            "by_section": by_section,
        },
    )
