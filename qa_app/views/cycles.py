"""Audit cycles (qa_admin): draw, review, adjust, allocate and publish each month's sample."""

import random
from datetime import date

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from werkzeug.routing import BaseConverter

from qa_app.clock import local_today, utcnow
from qa_app.extensions import db
from qa_app.forms import choices
from qa_app.forms.sampling import AddCaseForm, DrawForm, PublishForm, ReassignForm, SwapForm
from qa_app.models import SampleItem, User
from qa_app.models.cases import child_reference
from qa_app.permissions import requires
from qa_app.services.people import access_log as access
from qa_app.services.platform import months
from qa_app.services.sampling import adjust, allocation, cycles, replace
from qa_app.services.sampling import draw as sampling
from qa_app.services.sampling.draw import SamplingError
from qa_app.textnorm import is_digits
from qa_app.views import shown

bp = Blueprint("cycles", __name__, url_prefix="/cycles")


class MonthConverter(BaseConverter):
    """YYYY-MM in URLs, so /cycles/draw is never taken for a month."""

    regex = r"\d{4}-\d{2}"


bp.record_once(lambda state: state.app.url_map.converters.setdefault("month", MonthConverter))


def _base_url() -> str:
    return current_app.config["BASE_URL"]


def _cycle(month: str):
    try:
        return sampling.get_cycle(month)
    except SamplingError:
        abort(404)


@bp.route("/")
@requires("cycles.manage")
def index():
    today = local_today()
    form = DrawForm(data={"month": months.of(today)})
    return render_template("cycles/index.html", cycles=cycles.list_cycles(), form=form)


@bp.route("/draw", methods=["POST"])
@requires("cycles.manage")
def draw():
    form = DrawForm()
    if form.validate_on_submit():
        try:
            result = sampling.draw_sample(
                form.month.data,
                by=current_user,
                now=utcnow(),
                rng=random.SystemRandom(),
                seed=form.seed.data,
                rate_bp=sampling.parse_rate(form.rate.data) if form.rate.data else None,
                reference_date=date.fromisoformat(form.reference_date.data)
                if form.reference_date.data
                else None,
            )
        except (SamplingError, ValueError) as exc:
            db.session.rollback()
            field = form.rate if "Rate" in str(exc) else form.reference_date
            field = form.month if "Month" in str(exc) else field
            field.errors.append(str(exc))
        else:
            db.session.commit()
            month = result.cycle.month
            if result.already_drawn:
                flash(f"The {month} sample was already drawn: here it is.", "info")
            else:
                flash(f"The {month} sample has been drawn.", "success")
            return redirect(url_for("cycles.detail", month=month))
    return render_template("cycles/index.html", cycles=cycles.list_cycles(), form=form), 400


def _page(cycle, *, add_form=None, publish_form=None, form=None) -> str:
    view = cycles.cycle_view(cycle, today=local_today())
    html = render_template(
        "cycles/detail.html",
        view=view,
        add_form=add_form or AddCaseForm(),
        publish_form=publish_form or PublishForm(),
        form=form,
    )
    shown.cases_shown((i.case_id for i in view.items), "list_sample", purpose="sample review")
    return html


@bp.route("/<month:month>")
@requires("cycles.manage")
def detail(month: str):
    return _page(_cycle(month))


def _act(month: str, action, success: str):
    cycle = _cycle(month)
    try:
        action(cycle)
    except SamplingError as exc:
        db.session.rollback()
        flash(str(exc), "error")
    else:
        db.session.commit()
        flash(success.format(month=cycle.month), "success")
    return redirect(url_for("cycles.detail", month=cycle.month))


@bp.route("/<month:month>/redraw", methods=["POST"])
@requires("cycles.manage")
def redraw(month: str):
    return _act(
        month,
        lambda cycle: sampling.draw_sample(
            cycle.month, by=current_user, now=utcnow(), rng=random.SystemRandom(), redraw=True
        ),
        "The {month} sample has been drawn again with a new seed. Allocate it again.",
    )


@bp.route("/<month:month>/allocate", methods=["POST"])
@requires("cycles.manage")
def allocate(month: str):
    return _act(
        month,
        lambda cycle: allocation.allocate_cycle(cycle, now=utcnow()),
        "An auditor has been proposed for every case that could be allocated.",
    )


@bp.route("/<month:month>/publish", methods=["POST"])
@requires("cycles.manage")
def publish(month: str):
    cycle = _cycle(month)
    form = PublishForm()
    if form.validate_on_submit():
        try:
            cycles.publish_cycle(
                cycle,
                by=current_user,
                now=utcnow(),
                today=local_today(),
                base_url=_base_url(),
                confirm_closed=form.confirm_closed.data,
            )
        except SamplingError as exc:
            db.session.rollback()
            form.confirm_closed.errors.append(str(exc))
        else:
            db.session.commit()
            flash(f"The {month} allocation is published: every auditor has been told.", "success")
            return redirect(url_for("cycles.detail", month=month))
    return _page(_cycle(month), publish_form=form, form=form), 400


@bp.route("/<month:month>/replace-closed", methods=["POST"])
@requires("cycles.manage")
def replace_closed(month: str):
    cycle = _cycle(month)
    try:
        result = replace.replace_closed(cycle, by=current_user, now=utcnow(), today=local_today())
    except SamplingError as exc:
        db.session.rollback()
        flash(str(exc), "error")
    else:
        db.session.commit()
        flash(replace.outcome_message(result), "success" if not result.left else "info")
    return redirect(url_for("cycles.detail", month=month))


@bp.route("/<month:month>/close", methods=["POST"])
@requires("cycles.manage")
def close(month: str):
    return _act(month, lambda cycle: cycles.close_cycle(cycle, now=utcnow()), "{month} is closed.")


@bp.route("/<month:month>/cases", methods=["POST"])
@requires("cycles.manage")
def add_case(month: str):
    cycle = _cycle(month)
    form = AddCaseForm()
    if form.validate_on_submit():
        try:
            adjust.add_child(
                cycle,
                form.child_id.data,
                by=current_user,
                now=utcnow(),
                base_url=_base_url(),
                selection=form.selection.data,
                note=form.note.data,
            )
        except SamplingError as exc:
            db.session.rollback()
            form.child_id.errors.append(str(exc))
        else:
            db.session.commit()
            flash(
                f"{child_reference(form.child_id.data.strip())}'s case has been added.", "success"
            )
            return redirect(url_for("cycles.detail", month=cycle.month))
    return _page(cycle, add_form=form, form=form), 400


def _item(month: str, item_id: int) -> SampleItem:
    cycle = _cycle(month)
    item = db.session.get(SampleItem, item_id)
    if item is None or item.cycle_id != cycle.id:
        abort(404)
    return item


def _item_page(item: SampleItem, reassign_form=None, swap_form=None, status=200):
    candidates = allocation.candidates(item)
    reassign_form = reassign_form or ReassignForm()
    reassign_form.auditor_id.choices = choices(
        [("", "Choose an auditor")]
        + [
            (c.user.id, f"{c.user.name} ({c.load} of {c.capacity}, tier {c.tier})")
            for c in candidates
            if c.allowed
        ]
    )
    access.log_case_access(
        current_user,
        item.case,
        action="view_case",
        now=utcnow(),
        endpoint=request.endpoint,
        purpose="allocation review",
    )
    db.session.commit()
    return render_template(
        "cycles/item.html",
        item=item,
        candidates=candidates,
        reassign_form=reassign_form,
        swap_form=swap_form or SwapForm(),
        form=reassign_form if reassign_form.errors else swap_form,
    ), status


@bp.route("/<month:month>/items/<int:item_id>")
@requires("cycles.manage")
def item(month: str, item_id: int):
    return _item_page(_item(month, item_id))


@bp.route("/<month:month>/items/<int:item_id>/reassign", methods=["POST"])
@requires("cycles.manage")
def reassign(month: str, item_id: int):
    item = _item(month, item_id)
    form = ReassignForm()
    form.auditor_id.choices = []  # any id: the service checks the rules and explains
    if form.validate_on_submit():
        auditor = (
            db.session.get(User, int(form.auditor_id.data))
            if is_digits(form.auditor_id.data)
            else None
        )
        try:
            if auditor is None:
                raise SamplingError("Choose an auditor from the list")
            adjust.reassign(item, auditor, now=utcnow(), base_url=_base_url())
        except SamplingError as exc:
            db.session.rollback()
            form.auditor_id.errors.append(str(exc))
        else:
            db.session.commit()
            flash(f"The case has been given to {auditor.name}.", "success")
            return redirect(url_for("cycles.detail", month=month))
    return _item_page(_item(month, item_id), reassign_form=form, status=400)


@bp.route("/<month:month>/items/<int:item_id>/swap", methods=["POST"])
@requires("cycles.manage")
def swap(month: str, item_id: int):
    item = _item(month, item_id)
    form = SwapForm()
    if form.validate_on_submit():
        try:
            other = adjust.sample_item(item.cycle, form.other_child_id.data)
            adjust.swap(item, other, now=utcnow(), base_url=_base_url())
        except SamplingError as exc:
            db.session.rollback()
            form.other_child_id.errors.append(str(exc))
        else:
            db.session.commit()
            flash("The two cases have swapped auditors.", "success")
            return redirect(url_for("cycles.detail", month=month))
    return _item_page(_item(month, item_id), swap_form=form, status=400)


@bp.route("/<month:month>/export.csv")
@requires("cycles.manage")
def export(month: str):
    cycle = _cycle(month)
    body = cycles.export_csv(cycle)
    shown.cases_shown(cycles.sample_case_ids(cycle), "export_sample")
    return Response(
        body,
        mimetype="text/csv",
        headers={"Content-Disposition": f"attachment; filename=sample-{cycle.month}.csv"},
    )
