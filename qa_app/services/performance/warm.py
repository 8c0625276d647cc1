"""The board computed before anyone asks: when an import is committed, a background job computes
and caches the 12-month figures of the months the dashboard is opened on, for the council and
each locality (``board.monthly_figures``: the same cache a request fills), so the first view
after an import reads them instead of waiting for the computation (seconds for a large
council). Team boards are left to the first request: there are many teams, each cheaper.

An import asks for it with ``request_warming`` (whatever door ran it); ``qa_app.background``
queues the job once the transaction commits, as it does the email outbox.
"""

from datetime import date

from sqlalchemy import select

from qa_app.extensions import db
from qa_app.models import Import, Locality
from qa_app.services.performance import board
from qa_app.services.performance.indicators import Settings
from qa_app.services.platform import months
from qa_app.services.reports.scope import COUNCIL, ReportScope

WARM_SESSION_KEY = "qa_warm_import_ids"


def request_warming(import_id: int) -> None:
    """Warm the board for *import_id* once the current transaction commits (nothing if it is
    rolled back)."""
    db.session.info.setdefault(WARM_SESSION_KEY, []).append(import_id)


def months_to_warm(as_of: date, today: date) -> list[str]:
    """The month the dashboard opens on (last month) and the month of the import's as-of date."""
    return sorted({months.previous(today), months.key(as_of.year, as_of.month)})


def warm_after_import(import_id: int, *, today: date, settings: Settings) -> list[str]:
    """Compute and cache the council's and each locality's board for ``months_to_warm``;
    returns what was warmed (``"2026-11 council"``, ...), nothing for an import that is not
    complete. Safe to run twice, or twice at once: both compute the same cached figures."""
    imported = db.session.get(Import, import_id)
    if imported is None or imported.status != "complete":
        return []
    localities = db.session.execute(select(Locality.id, Locality.name).order_by(Locality.name))
    scopes = [COUNCIL, *(ReportScope("locality", i, name) for i, name in localities)]
    warmed = []
    for month in months_to_warm(imported.as_of, today):
        for scope in scopes:
            board.monthly_figures(month, scope, settings=settings)
            warmed.append(f"{month} {scope.key}")
    return warmed
