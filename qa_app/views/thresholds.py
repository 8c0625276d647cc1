"""Thresholds: every role reads the bands, England figures and comparators; the PSW and the QA
lead change bands (kept with their history) and comparators (docs/thresholds.md)."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from qa_app.clock import local_today, utcnow
from qa_app.extensions import db
from qa_app.forms import choices
from qa_app.forms.thresholds import BandsForm, ComparatorForm
from qa_app.models import ThresholdComparator
from qa_app.permissions import can, requires
from qa_app.services.performance import thresholds
from qa_app.services.performance.bands import SHAPES
from qa_app.services.platform import months
from qa_app.services.platform.months import ending_with, shift
from qa_app.textnorm import is_digits

bp = Blueprint("thresholds", __name__, url_prefix="/thresholds")


@bp.context_processor
def _helpers() -> dict:
    return {"month_label": months.label, "bands_text": thresholds.bands_text, "shapes": SHAPES}


def _month() -> str:
    """The month asked for (?month=YYYY-MM), else this month."""
    try:
        return thresholds.check_month(request.args.get("month") or local_today())
    except thresholds.ThresholdError as exc:
        flash(f"{exc} Showing this month.", "error")
        return thresholds.check_month(local_today())


def _key(key: str) -> str:
    if key not in thresholds.indicator_keys():
        abort(404)
    return key


@bp.route("/")
@requires("thresholds.view")
def index():
    month = _month()
    return render_template(
        "thresholds/index.html",
        month=month,
        items=thresholds.all_thresholds(month).values(),
        can_manage=can(current_user, "thresholds.manage"),
    )


@bp.route("/<key>")
@requires("thresholds.view")
def detail(key: str):
    month = _month()
    return render_template(
        "thresholds/detail.html",
        month=month,
        item=thresholds.thresholds_for(_key(key), month),
        history=thresholds.history(key),
        can_manage=can(current_user, "thresholds.manage"),
    )


def _bands_form(key: str) -> BandsForm:
    form = BandsForm()
    this_month = thresholds.check_month(local_today())
    a_year_ahead = shift(this_month, 12)
    # From two years back (a correction) to a year ahead (a decision taking effect later).
    form.effective_from.choices = choices((m, m) for m in ending_with(a_year_ahead, 37))
    if request.method == "GET":
        form.fill(thresholds.thresholds_for(key, this_month).bands)
        form.effective_from.data = this_month
        form.based_on.data = str(thresholds.latest_change_id(key))
    return form


@bp.route("/<key>/bands", methods=["GET", "POST"])
@requires("thresholds.manage")
def bands(key: str):
    form = _bands_form(_key(key))
    if form.validate_on_submit():
        data, rows = form.bands_data()
        try:
            thresholds.change_bands(
                key,
                data,
                effective_from=form.effective_from.data,
                reason=form.reason.data,
                by=current_user,
                now=utcnow(),
                based_on=int(form.based_on.data) if is_digits(form.based_on.data) else None,
            )
        except thresholds.ThresholdError as exc:
            db.session.rollback()
            if exc.field == "bands":
                form.add_error(str(exc), rows)
            else:
                getattr(form, exc.field or "shape").errors.append(str(exc))
        else:
            db.session.commit()
            flash(f"New bands saved, in force from {form.effective_from.data}.", "success")
            return redirect(url_for("thresholds.detail", key=key))
    item = thresholds.thresholds_for(key, thresholds.check_month(local_today()))
    status = 400 if form.errors else 200
    return render_template("thresholds/bands.html", form=form, item=item), status


@bp.route("/<key>/comparators/new", methods=["GET", "POST"])
@requires("thresholds.manage")
def add_comparator(key: str):
    return _comparator_page(_key(key), None)


@bp.route("/<key>/comparators/<int:comparator_id>", methods=["GET", "POST"])
@requires("thresholds.manage")
def edit_comparator(key: str, comparator_id: int):
    row = db.session.get(ThresholdComparator, comparator_id)
    if row is None or row.indicator_key != _key(key) or row.removed_at is not None:
        abort(404)
    return _comparator_page(key, row)


def _comparator_page(key: str, row: ThresholdComparator | None):
    form = ComparatorForm(obj=row)
    if form.validate_on_submit():
        data = thresholds.ComparatorInput(
            label=form.label.data,
            figure=float(form.figure.data),
            year=form.year.data,
            source=form.source.data,
        )
        try:
            if row is None:
                thresholds.add_comparator(key, data, by=current_user, now=utcnow())
            else:
                thresholds.update_comparator(row, data, by=current_user, now=utcnow())
        except thresholds.ThresholdError as exc:
            db.session.rollback()
            getattr(form, exc.field or "label").errors.append(str(exc))
        else:
            db.session.commit()
            flash(f"Comparator {data.label} saved.", "success")
            return redirect(url_for("thresholds.detail", key=key))
    item = thresholds.thresholds_for(key, thresholds.check_month(local_today()))
    status = 400 if form.errors else 200
    return render_template("thresholds/comparator.html", form=form, item=item, row=row), status


@bp.route("/<key>/comparators/<int:comparator_id>/remove", methods=["POST"])
@requires("thresholds.manage")
def remove_comparator(key: str, comparator_id: int):
    row = db.session.get(ThresholdComparator, comparator_id)
    if row is None or row.indicator_key != _key(key):
        abort(404)
    thresholds.remove_comparator(row, by=current_user, now=utcnow())
    db.session.commit()
    flash(f"Comparator {row.label} removed.", "success")
    return redirect(url_for("thresholds.detail", key=key))
