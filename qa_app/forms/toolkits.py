"""Forms for loading a new toolkit version from the web."""

from flask_wtf.file import FileAllowed, FileField, FileRequired
from govuk_frontend_wtf.wtforms_widgets import GovFileInput, GovSubmitInput
from wtforms import HiddenField, SubmitField
from wtforms.validators import InputRequired, Length

from qa_app.forms.base import Form


class ToolkitUploadForm(Form):
    file = FileField(
        "Toolkit file (YAML)",
        widget=GovFileInput(),
        description="A .yaml file in the toolkit format. Nothing is loaded until you confirm.",
        validators=[
            FileRequired(message="Select a toolkit file"),
            FileAllowed(["yaml", "yml"], message="The selected file must be a .yaml or .yml file"),
        ],
    )
    submit = SubmitField("Check the file", widget=GovSubmitInput())


class ToolkitConfirmForm(Form):
    """Carries the previewed file back, so that what is loaded is exactly what was checked."""

    source = HiddenField(validators=[InputRequired(), Length(max=800_000)])  # base64 of the file
    filename = HiddenField(validators=[InputRequired(), Length(max=255)])
    content_hash = HiddenField(validators=[InputRequired(), Length(min=64, max=64)])
    submit = SubmitField("Load this version", widget=GovSubmitInput())
