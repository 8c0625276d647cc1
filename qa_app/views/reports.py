"""The monthly audit report: versions, the report page, downloads, key messages, publishing."""

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
from sqlalchemy import select

from qa_app import background
from qa_app.clock import local_today, utcnow
from qa_app.extensions import db
from qa_app.forms.reports import BuildForm, KeyMessagesForm, TokenForm
from qa_app.models import ApiToken, ReportVersion
from qa_app.models.reports import FILE_KINDS
from qa_app.models.vocab import COHORTS
from qa_app.permissions import can, requires
from qa_app.services.audits import access as audit_access
from qa_app.services.people import api_tokens
from qa_app.services.platform.spc import VARIATION_SHORT
from qa_app.services.reports import charts as report_charts
from qa_app.services.reports import dashboard as report_dashboard
from qa_app.services.reports import files as report_files
from qa_app.services.reports import versions as report_versions
from qa_app.services.reports.figures import MIN_N, Filters
from qa_app.services.reports.files import render_context
from qa_app.services.reports.scope import (
    MONTH_RE,
    ScopeError,
    parse_scope,
    previous_months,
    scope_for_user,
    within,
)
from qa_app.services.reports.trends import stored_xmr
from qa_app.templating import uk_date
from qa_app.views import shown

bp = Blueprint("reports", __name__, url_prefix="/reports")
TEAM_ROWS = 30  # team rows shown on the dashboard before "Show all teams"


@bp.app_template_filter("month_short")
def month_short(month: str) -> str:
    """2026-10 -> Oct 26, for narrow table headings."""
    return report_charts.month_tick(month)


def _visible(version_id: int) -> ReportVersion:
    """The version if its scope lies within the user's, else 404."""
    version = db.session.get(ReportVersion, version_id)
    mine = scope_for_user(current_user)
    if version is None or not _within_key(mine, version.scope):
        abort(404)
    return version


@bp.route("/")
@requires("reports.view")
def index():
    mine = scope_for_user(current_user)
    versions = []
    if mine is not None:
        rows = db.session.scalars(
            select(ReportVersion).order_by(
                ReportVersion.month.desc(), ReportVersion.scope, ReportVersion.version.desc()
            )
        )
        versions = [v for v in rows if _within_key(mine, v.scope)]
    return render_template("reports/index.html", versions=versions, form=BuildForm())


def _within_key(mine, key: str) -> bool:
    """Whether a stored scope lies within *mine*; a scope whose team or locality has since been
    renamed is visible to council-wide roles only."""
    if mine is None:
        return False
    if mine.kind == "council":
        return True
    try:
        return within(mine, parse_scope(key))
    except ScopeError:
        return False


@bp.route("/build", methods=["POST"])
@requires("reports.build")
def build():
    form = BuildForm()
    if not form.validate_on_submit():
        for errors in form.errors.values():
            flash(errors[0], "error")
        return redirect(url_for("reports.index"))
    mine = scope_for_user(current_user)
    try:
        scope = parse_scope(form.scope.data) if form.scope.data else mine
        if mine is None or not within(mine, scope):
            raise ScopeError(f"scope {form.scope.data!r}: outside what you may report on")
    except ScopeError as exc:
        flash(str(exc).capitalize(), "error")
        return redirect(url_for("reports.index"))
    version = report_versions.request_build(
        form.month.data, scope, by=current_user, now=utcnow(), trigger="web"
    )
    db.session.commit()
    try:
        background.enqueue_report_build(version.id)
    except background.BackgroundUnavailable:
        flash("The build is queued and will start when the background service is back.", "error")
    return redirect(url_for("reports.show", version_id=version.id))


@bp.route("/<int:version_id>")
@requires("reports.view")
def show(version_id: int):
    version = _visible(version_id)
    context = render_context(version.data, version.key_messages) if version.data else {}
    form = KeyMessagesForm(data={"key_messages": version.key_messages})
    return render_template(
        "reports/show.html",
        version=version,
        older=report_versions.versions_for(version.month, version.scope),
        form=form,
        can_publish=can(current_user, "reports.publish"),
        **context,
    )


@bp.route("/<int:version_id>/messages", methods=["POST"])
@requires("reports.publish")
def messages(version_id: int):
    version = _visible(version_id)
    form = KeyMessagesForm()
    try:
        if not form.validate_on_submit():
            raise report_versions.ReportRefused(next(iter(form.errors.values()))[0])
        report_versions.edit_key_messages(
            version, form.key_messages.data, by=current_user, now=utcnow()
        )
    except report_versions.ReportRefused as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for("reports.show", version_id=version_id))
    db.session.commit()
    flash("Key messages saved.", "success")
    return redirect(url_for("reports.show", version_id=version_id))


@bp.route("/<int:version_id>/publish", methods=["POST"])
@requires("reports.publish")
def publish(version_id: int):
    version = _visible(version_id)
    try:
        report_versions.publish(version, by=current_user, now=utcnow())
    except report_versions.ReportRefused as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for("reports.show", version_id=version_id))
    db.session.commit()
    flash(f"Version {version.version} published. It can no longer change.", "success")
    return redirect(url_for("reports.show", version_id=version_id))


@bp.route("/<int:version_id>/download/<kind>")
@requires("reports.view")
def download(version_id: int, kind: str):
    version = _visible(version_id)
    stored = version.file(kind) if kind in FILE_KINDS else None
    if stored is None:
        abort(404)
    name = f"audit-report-{version.month}-{version.scope.replace(':', '-')}-v{version.version}"
    return Response(
        stored.content,
        mimetype=stored.content_type,
        headers={"Content-Disposition": f'attachment; filename="{name}.{kind}"'},
    )


@bp.route("/dashboard")
@requires("dashboards.view")
def dashboard():
    mine = scope_for_user(current_user)
    if mine is None:
        abort(404)
    default_to = report_versions.previous_month(local_today())
    args = request.args
    errors = []
    try:
        scope = parse_scope(args["scope"]) if args.get("scope") else mine
        if not within(mine, scope):
            raise ScopeError(f"scope {args['scope']!r}: outside what you may see")
    except ScopeError as exc:
        errors.append(str(exc).capitalize())
        scope = mine
    to_month = args.get("to") or default_to
    from_month = args.get("from") or (
        previous_months(to_month, 12)[0] if MONTH_RE.match(to_month) else default_to
    )
    cohort = args.get("cohort") or None
    if cohort is not None and cohort not in COHORTS:
        errors.append(f"Cohort {cohort!r}: choose one of the listed cohorts")
        cohort = None
    query = report_dashboard.DashboardQuery(
        from_month=from_month,
        to_month=to_month,
        filters=Filters(cohort=cohort, random_only=args.get("random") == "1"),
        section=args.get("section") or None,
    )
    try:
        data = report_dashboard.dashboard(scope, query, as_of=local_today())
    except ScopeError as exc:
        errors.append(str(exc).capitalize())
        query = report_dashboard.DashboardQuery(
            previous_months(default_to, 12)[0], default_to, query.filters, query.section
        )
        data = report_dashboard.dashboard(scope, query, as_of=local_today())
    spc = stored_xmr(data["chart_trend"], None)
    counted = data["counted"]
    html = render_template(
        "reports/dashboard.html",
        data=data,
        query=query,
        errors=errors,
        chart=report_files.trend_chart(
            data["chart_trend"], spc, counted.chart_title, MIN_N, counted.measure
        ),
        spc=spc,
        variation_short=VARIATION_SHORT,
        cohorts=COHORTS,
        statuses=report_dashboard.report_status() if can(current_user, "reports.build") else None,
        # A large locality has hundreds of teams: the first TEAM_ROWS, then a link to all.
        team_rows=None if args.get("teams") == "all" else TEAM_ROWS,
        # Moderation is blind: an audit the user still has to grade shows no grade here.
        blind=audit_access.blind_audit_ids(current_user),
        all_teams_url=url_for("reports.dashboard", **{**args.to_dict(), "teams": "all"}),
    )
    # The drill-down lists audits by child id; the rest of the page is aggregate figures.
    drill = (data.get("drill") or {}).get("rows", [])
    shown.cases_shown((r.case_id for r in drill), "list_audits", purpose="report dashboard")
    return html


@bp.route("/tokens", methods=["GET", "POST"])
@requires("api_tokens.manage")
def tokens():
    """Personal API tokens: the new token is shown once, on the page that created it."""
    form = TokenForm()
    created = None
    if form.validate_on_submit():
        try:
            _token, created = api_tokens.create_token(
                current_user, form.name.data, now=utcnow(), days=_token_days()
            )
        except api_tokens.TokenRefused as exc:
            db.session.rollback()
            form.name.errors = [str(exc)]
        else:
            db.session.commit()
            form = TokenForm(formdata=None)
    return render_template(
        "reports/tokens.html",
        form=form,
        created=created,
        tokens=api_tokens.tokens_of(current_user),
        token_days=_token_days(),
        now=utcnow(),
    )


def _token_days() -> int:
    return int(current_app.config["API_TOKEN_DAYS"])


@bp.route("/tokens/<int:token_id>/renew", methods=["POST"])
@requires("api_tokens.manage")
def renew_token(token_id: int):
    """Move the token's expiry on; the token itself is unchanged, so BI tools keep it."""
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != current_user.id:
        abort(404)
    try:
        api_tokens.renew_token(token, by=current_user, now=utcnow(), days=_token_days())
    except api_tokens.TokenRefused as exc:
        db.session.rollback()
        flash(str(exc), "error")
    else:
        db.session.commit()
        flash(
            f"Token '{token.name}' renewed: it now works until {uk_date(token.expires_at)}.",
            "success",
        )
    return redirect(url_for("reports.tokens"))


@bp.route("/tokens/<int:token_id>/revoke", methods=["POST"])
@requires("api_tokens.manage")
def revoke_token(token_id: int):
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != current_user.id:
        abort(404)
    api_tokens.revoke_token(token, by=current_user, now=utcnow())
    db.session.commit()
    flash(f"Token '{token.name}' revoked: it no longer works.", "success")
    return redirect(url_for("reports.tokens"))
