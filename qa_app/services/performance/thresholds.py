"""The thresholds the board agrees: the bands in force for a month, the England figure, the
council's comparators, and the changes the PSW and QA lead make (docs/thresholds.md).

The shipped defaults (`threshold_file`) apply until a change replaces them; each change takes
effect from a month, so a past month is rated with the bands in force then. Changes and
comparators are kept with who made them and when. Services flush; the caller commits.
"""

import math
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select

from qa_app.extensions import db
from qa_app.models import ThresholdChange, ThresholdComparator, User
from qa_app.services.performance.bands import (
    BAND_NAMES,
    BANDS,
    Bands,
    BandsError,
    format_value,
    parse_bands,
)
from qa_app.services.performance.threshold_file import (
    DefaultThresholds,
    EnglandFigure,
    load_defaults,
)
from qa_app.services.platform import months

MAX_REASON = 1000


class ThresholdError(ValueError):
    """A change that cannot be made; *field* names the form field it is about."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Comparator:
    id: int
    label: str
    figure: float
    year: int
    source: str


@dataclass(frozen=True)
class Thresholds:
    """What the dashboard and the board paper show for one indicator in one month."""

    key: str
    name: str
    unit: str
    month: str
    bands: Bands | None  # None: not rated
    rationale: str
    england: EnglandFigure
    comparators: tuple[Comparator, ...] = ()
    change: ThresholdChange | None = None  # None: the shipped defaults are in force

    def rate(self, value: float | None) -> str | None:
        """The band of *value* (``inadequate`` ... ``outstanding``), None if missing or not
        rated."""
        return None if self.bands is None else self.bands.rate(value)

    @property
    def ranges(self) -> list[dict]:
        """Each band with its range in words, in ascending order of value."""
        if self.bands is None:
            return []
        return [
            {"band": band, "name": BAND_NAMES[band], "range": text}
            for band, text in self.bands.describe(self.unit)
        ]

    @property
    def band_ranges(self) -> dict[str, str]:
        """Each band's range in words, in the board's column order (Inadequate first); a band a
        two-sided indicator has on both sides reads "under 10% or over 15% to 20%"."""
        out: dict[str, list[str]] = {band: [] for band in BANDS}
        for item in self.ranges:
            out[item["band"]].append(item["range"])
        return {band: " or ".join(texts) for band, texts in out.items() if texts}

    def format(self, value: float | None) -> str:
        """*value* in this indicator's unit, as the bands write it (``85.7%``)."""
        return format_value(value, self.unit)

    @property
    def effective_from(self) -> str | None:
        return self.change.effective_from if self.change else None

    def as_dict(self) -> dict:
        """A JSON form to freeze in a published report (``parse_bands`` reads ``bands``)."""
        return {
            "key": self.key,
            "name": self.name,
            "unit": self.unit,
            "month": self.month,
            "bands": self.bands.as_dict() if self.bands else None,
            "ranges": self.ranges,
            "effective_from": self.effective_from,
            "england": {
                "figure": self.england.figure,
                "year": self.england.year,
                "source": self.england.source,
                "note": self.england.note,
            },
            "comparators": [
                {"label": c.label, "figure": c.figure, "year": c.year, "source": c.source}
                for c in self.comparators
            ],
        }


def bands_text(data: dict | None, unit: str) -> str:
    """Stored bands in words for the history: "Inadequate: under 70%; ..." or "Not rated"."""
    if data is None:
        return "Not rated"
    return "; ".join(
        f"{BAND_NAMES[band]}: {text}" for band, text in parse_bands(data).describe(unit)
    )


def check_month(month: str | date) -> str:
    """``YYYY-MM`` for a month given as text or as any date in it."""
    if isinstance(month, date):
        return months.of(month)
    if not isinstance(month, str):
        raise ThresholdError(
            f"month {month!r}: expected YYYY-MM, for example 2026-11", "effective_from"
        )
    try:
        return months.check(month)
    except months.MonthError as exc:
        raise ThresholdError(str(exc), "effective_from") from exc


def indicator_keys() -> list[str]:
    """Every indicator with thresholds, in the defaults file's order."""
    return list(load_defaults())


def _defaults(key: str) -> DefaultThresholds:
    try:
        return load_defaults()[key]
    except KeyError:
        raise ThresholdError(f"no thresholds for an indicator called {key!r}") from None


def all_thresholds(month: str | date, keys: list[str] | None = None) -> dict[str, Thresholds]:
    """Every indicator's thresholds for *month* (or those of *keys*), in two queries."""
    month = check_month(month)
    defaults = load_defaults()
    keys = list(defaults) if keys is None else keys
    for key in keys:
        _defaults(key)
    in_force: dict[str, ThresholdChange] = {}
    changes = db.session.scalars(
        select(ThresholdChange)
        .where(ThresholdChange.indicator_key.in_(keys), ThresholdChange.effective_from <= month)
        .order_by(ThresholdChange.effective_from.desc(), ThresholdChange.id.desc())
    )
    for change in changes:
        in_force.setdefault(change.indicator_key, change)
    figures: dict[str, list[Comparator]] = {}
    for row in db.session.scalars(
        select(ThresholdComparator)
        .where(
            ThresholdComparator.indicator_key.in_(keys), ThresholdComparator.removed_at.is_(None)
        )
        .order_by(ThresholdComparator.year.desc(), ThresholdComparator.label)
    ):
        figures.setdefault(row.indicator_key, []).append(
            Comparator(row.id, row.label, row.figure, row.year, row.source)
        )
    out = {}
    for key in keys:
        default, change = defaults[key], in_force.get(key)
        out[key] = Thresholds(
            key=key,
            name=default.name,
            unit=default.unit,
            month=month,
            bands=_bands_of(change) if change else default.bands,
            rationale=default.rationale,
            england=default.england,
            comparators=tuple(figures.get(key, ())),
            change=change,
        )
    return out


def _bands_of(change: ThresholdChange) -> Bands | None:
    return None if change.bands is None else parse_bands(change.bands)


def thresholds_for(key: str, month: str | date) -> Thresholds:
    """The bands in force for *key* in *month*, its England figure and its comparators."""
    return all_thresholds(month, [key])[key]


def rate(key: str, value: float | None, month: str | date) -> str | None:
    """The band of *value* for indicator *key* under the bands in force in *month*; None when
    the value is missing or the indicator is not rated."""
    return thresholds_for(key, month).rate(value)


def history(key: str) -> list[ThresholdChange]:
    """Every change of *key*'s bands, the latest first."""
    _defaults(key)
    return list(
        db.session.scalars(
            select(ThresholdChange)
            .where(ThresholdChange.indicator_key == key)
            .order_by(ThresholdChange.id.desc())
        )
    )


def latest_change_id(key: str) -> int:
    """The id of *key*'s latest change (0 for none): an edit form carries it, so that a change
    made meanwhile by someone else is not silently overwritten."""
    return db.session.scalar(
        select(func.coalesce(func.max(ThresholdChange.id), 0)).where(
            ThresholdChange.indicator_key == key
        )
    )


def change_bands(
    key: str,
    bands: Bands | dict | None,
    *,
    effective_from: str,
    reason: str,
    by: User,
    now: datetime,
    based_on: int | None = None,
) -> ThresholdChange:
    """Record new bands for *key* from *effective_from*: ``Bands``, their stored form (checked
    here), or None for "not rated" from then on.

    Months before *effective_from* keep the bands they had. *based_on* is the
    ``latest_change_id`` the editor saw; the change is refused if another was made since.
    """
    current = thresholds_for(key, check_month(effective_from))
    reason = " ".join((reason or "").split())
    if not reason:
        raise ThresholdError("Say why the bands are changing", "reason")
    if len(reason) > MAX_REASON:
        raise ThresholdError(f"Keep the reason under {MAX_REASON} characters", "reason")
    if based_on is not None and based_on != latest_change_id(key):
        raise ThresholdError(
            "Someone else changed these bands while you were editing: check the bands now in "
            "force and make your change again",
            "bands",
        )
    if bands is not None:
        try:
            bands = parse_bands(bands.as_dict() if isinstance(bands, Bands) else bands)
        except BandsError as exc:
            raise ThresholdError(str(exc), "bands") from exc
    if bands == current.bands:
        raise ThresholdError(
            f"These are already the bands in force from {effective_from}: change a band or a limit",
            "bands",
        )
    change = ThresholdChange(
        indicator_key=key,
        effective_from=effective_from,
        bands=bands.as_dict() if bands else None,
        previous_bands=current.bands.as_dict() if current.bands else None,
        previous_change_id=current.change.id if current.change else None,
        reason=reason,
        changed_by_id=by.id,
        changed_at=now,
    )
    db.session.add(change)
    db.session.flush()
    return change


@dataclass
class ComparatorInput:
    """What the PSW or QA lead enters for a comparator."""

    label: str
    figure: float | None
    year: int | None
    source: str


def comparators(key: str) -> list[ThresholdComparator]:
    """The comparators in use for *key* (removed ones are kept but not listed)."""
    _defaults(key)
    return list(
        db.session.scalars(
            select(ThresholdComparator)
            .where(
                ThresholdComparator.indicator_key == key, ThresholdComparator.removed_at.is_(None)
            )
            .order_by(ThresholdComparator.year.desc(), ThresholdComparator.label)
        )
    )


def _checked(key: str, data: ComparatorInput, *, replacing: int | None = None) -> dict:
    label = " ".join((data.label or "").split())
    source = " ".join((data.source or "").split())
    if not label or len(label) > 120:
        raise ThresholdError("Enter a name for the comparator, up to 120 characters", "label")
    if data.figure is None or not math.isfinite(data.figure) or abs(data.figure) > 1e9:
        raise ThresholdError("Enter the comparator's figure as a number", "figure")
    if data.year is None or not 2000 <= data.year <= 2100:
        raise ThresholdError("Enter the year of the figure, for example 2024", "year")
    if not source or len(source) > 300:
        raise ThresholdError("Say where the figure comes from, up to 300 characters", "source")
    for other in comparators(key):
        if (
            other.id != replacing
            and other.label.lower() == label.lower()
            and other.year == data.year
        ):
            raise ThresholdError(
                f"There is already a comparator called {other.label} for {other.year}", "label"
            )
    return {"label": label, "figure": float(data.figure), "year": data.year, "source": source}


def add_comparator(
    key: str, data: ComparatorInput, *, by: User, now: datetime
) -> ThresholdComparator:
    """Add a named comparator figure (e.g. statistical neighbours) for *key*."""
    _defaults(key)
    row = ThresholdComparator(
        indicator_key=key,
        created_by_id=by.id,
        created_at=now,
        updated_by_id=by.id,
        updated_at=now,
        **_checked(key, data),
    )
    db.session.add(row)
    db.session.flush()
    return row


def update_comparator(
    row: ThresholdComparator, data: ComparatorInput, *, by: User, now: datetime
) -> ThresholdComparator:
    """Change a comparator's name, figure, year or source."""
    if row.removed_at is not None:
        raise ThresholdError("This comparator has been removed")
    for name, value in _checked(row.indicator_key, data, replacing=row.id).items():
        setattr(row, name, value)
    row.updated_by_id, row.updated_at = by.id, now
    db.session.flush()
    return row


def remove_comparator(row: ThresholdComparator, *, by: User, now: datetime) -> None:
    """Stop showing a comparator (the row is kept, marked removed, with who and when)."""
    if row.removed_at is None:
        row.removed_at, row.removed_by_id = now, by.id
        db.session.flush()
