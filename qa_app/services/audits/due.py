"""What an auditor has to do: their allocated audits, what is due and overdue first.

An audit is overdue once its due date (the month's last working day, or the approved extension)
has passed and it is not completed, whichever month it was allocated in: an audit from an earlier
month still in progress is the first thing its auditor should see. Overdue is worked out on the
day, in England and Wales working days, never stored.
"""

from dataclasses import dataclass
from datetime import date

from qa_app.models import Assignment, User
from qa_app.services.platform.calendar import working_days_after
from qa_app.services.sampling.extension_requests import my_assignments

OPEN = ("assigned", "in_progress")


@dataclass(frozen=True)
class MyAudit:
    """One allocated audit as its auditor sees it on *today*."""

    assignment: Assignment
    working_days_overdue: int  # 0 unless overdue

    @property
    def to_do(self) -> bool:
        return self.assignment.status in OPEN

    @property
    def overdue(self) -> bool:
        return self.working_days_overdue > 0


@dataclass(frozen=True)
class AuditsToDo:
    """The home page's view: every audit still to do, and this month's finished ones."""

    to_do: list[MyAudit]
    completed_this_month: int
    allocated_this_month: int

    @property
    def overdue(self) -> int:
        return sum(1 for audit in self.to_do if audit.overdue)


def _as_mine(assignment: Assignment, today: date) -> MyAudit:
    late = working_days_after(assignment.effective_due, today) if assignment.status in OPEN else 0
    return MyAudit(assignment, late)


def my_audits(user: User, *, today: date) -> list[MyAudit]:
    """Every published audit allocated to *user*: still to do first, the most overdue at the
    top, then the soonest due; then the completed ones, newest month first."""
    mine = [_as_mine(a, today) for a in my_assignments(user)]  # newest month first
    to_do = sorted(
        (m for m in mine if m.to_do),
        key=lambda m: (-m.working_days_overdue, m.assignment.effective_due, m.assignment.id),
    )
    return to_do + [m for m in mine if not m.to_do]


def audits_to_do(user: User, *, today: date) -> AuditsToDo:
    """What *user* still has to audit (any month), and how this month's allocation stands."""
    month = f"{today:%Y-%m}"
    mine = my_audits(user, today=today)
    this_month = [m for m in mine if m.assignment.item.cycle.month == month]
    return AuditsToDo(
        to_do=[m for m in mine if m.to_do],
        completed_this_month=sum(1 for m in this_month if not m.to_do),
        allocated_this_month=len(this_month),
    )
