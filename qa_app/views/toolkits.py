"""Audit toolkits: read them (every role), and load a new version after a preview (QA lead)."""

import base64
from pathlib import PurePath

from flask import Blueprint, Response, abort, flash, redirect, render_template, url_for
from flask_login import current_user

from qa_app.clock import utcnow
from qa_app.extensions import db
from qa_app.forms.toolkits import ToolkitConfirmForm, ToolkitUploadForm
from qa_app.models.vocab import COHORTS
from qa_app.permissions import requires
from qa_app.services.audits import grading
from qa_app.services.toolkits import store as toolkits
from qa_app.textnorm import clean_text

bp = Blueprint("toolkits", __name__, url_prefix="/toolkits")


@bp.route("/")
@requires("toolkits.view")
def index():
    rows = toolkits.list_toolkits()
    covered = {c for t in rows if t.active_version for c in t.active_version.cohorts}
    uncovered = [label for key, label in COHORTS.items() if key not in covered]
    return render_template("toolkits/index.html", toolkits=rows, uncovered=uncovered)


@bp.route("/<key>/versions/<int:version>")
@requires("toolkits.view")
def version(key: str, version: int):
    row = toolkits.get_version(key, version) or abort(404)
    return render_template(
        "toolkits/version.html",
        version=row,
        definition=row.definition,
        rules=grading.describe_rules(row.definition.grading),
    )


@bp.route("/<key>/versions/<int:version>/download")
@requires("toolkits.view")
def download(key: str, version: int):
    row = toolkits.get_version(key, version) or abort(404)
    return Response(
        row.source_text,
        mimetype="application/yaml",
        headers={"Content-Disposition": f'attachment; filename="{key}-v{version}.yaml"'},
    )


def _filename(raw: str | None) -> str:
    return clean_text(PurePath((raw or "").replace("\\", "/")).name)[:255] or "toolkit.yaml"


@bp.route("/upload", methods=["GET", "POST"])
@requires("toolkits.manage")
def upload():
    form = ToolkitUploadForm()
    preview = confirm = None
    if form.validate_on_submit():
        data = form.file.data.read()
        name = _filename(form.file.data.filename)
        preview = toolkits.preview_toolkits([(data, name)])[0]
        if preview.ok:
            confirm = ToolkitConfirmForm(
                source=base64.b64encode(data).decode("ascii"),
                filename=name,
                content_hash=preview.content_hash,
            )
        else:
            form.file.errors.append(
                f"{name} cannot be loaded: {len(preview.problems)} problem(s), listed below"
            )
    status = 400 if form.errors else 200
    return render_template(
        "toolkits/upload.html", form=form, preview=preview, confirm=confirm
    ), status


def _refused(name: str, preview):
    """The upload page again, with why the file was not loaded."""
    upload_form = ToolkitUploadForm(formdata=None)
    upload_form.file.errors = [f"{name} was not loaded: see the problems below"]
    return render_template(
        "toolkits/upload.html", form=upload_form, preview=preview, confirm=None
    ), 409


@bp.route("/upload/confirm", methods=["POST"])
@requires("toolkits.manage")
def confirm():
    form = ToolkitConfirmForm()
    try:
        data = base64.b64decode(form.source.data or "", validate=True)
    except ValueError:  # binascii.Error, or text that is not ASCII at all
        data = None
    if not form.validate_on_submit() or data is None:
        flash("The confirmation was incomplete: upload the file again.", "error")
        return redirect(url_for("toolkits.upload"))
    name = _filename(form.filename.data)
    try:
        (result,) = toolkits.load_toolkits(
            [(data, name)],
            by=current_user,
            now=utcnow(),
            via="web",
            expected_hashes=[form.content_hash.data],
        )
    except toolkits.ToolkitsRefused as exc:
        db.session.rollback()
        return _refused(name, exc.failures[0])
    db.session.commit()
    loaded = result.version
    if result.status == "created":
        flash(f"{loaded.name} version {loaded.version} is loaded and now active.", "success")
    else:
        flash(f"{loaded.name} version {loaded.version} was already loaded: nothing changed.")
    return redirect(url_for("toolkits.version", key=loaded.toolkit.key, version=loaded.version))
