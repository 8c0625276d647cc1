"""Forms for importing case data and settling pending teams and staff."""

from flask_wtf.file import FileRequired, MultipleFileField
from govuk_frontend_wtf.wtforms_widgets import (
    GovFileInput,
    GovSelect,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from qa_app.forms import choices
from qa_app.forms.base import Form
from qa_app.forms.fields import DatePartsField
from qa_app.textnorm import is_digits

FORMAT_LABELS = {
    "annex-a": "Ofsted Annex A workbook (.xlsx or .xls)",
    "cin-census": "CIN census (XML)",
    "ssda903": "SSDA903 tables (CSV) or XML",
    "csv": "Case CSV (this service's layout)",
}


class ImportUploadForm(Form):
    files = MultipleFileField(
        "Case data files",
        widget=GovFileInput(multiple=True),
        description="An Annex A workbook, a CIN census XML file, the SSDA903 tables, or a case "
        "CSV. Choose several files to import them together (for example the CIN census and "
        "the SSDA903 tables).",
        validators=[FileRequired(message="Choose at least one file")],
    )
    as_of = DatePartsField(
        "As-of date",
        description="The date the files describe: cases open on this date are imported. "
        "For example, 31 3 2026",
        required="Enter the as-of date, for example 31 3 2026",
    )
    format = SelectField(
        "Format",
        widget=GovSelect(),
        choices=choices([("", "Recognise it from the files"), *FORMAT_LABELS.items()]),
        validators=[Optional()],
    )
    submit = SubmitField("Upload and preview", widget=GovSubmitInput())


class ConfirmPersonForm(Form):
    email = StringField(
        "Email address (optional)",
        widget=GovTextInput(),
        description="Needed before they can be given a password to sign in.",
        validators=[
            Optional(),
            Length(max=254, message="Enter an email address like name@council.gov.uk"),
        ],
    )
    submit = SubmitField("Confirm", widget=GovSubmitInput())


class MergeForm(Form):
    into = SelectField(
        "Merge into",
        coerce=lambda value: int(value) if is_digits(str(value or "")) else None,
        widget=GovSelect(),
        validate_choice=False,  # the team is looked up, and checked, by the pending service
        validators=[
            InputRequired(message="Choose the team to merge into"),
            DataRequired(message="Choose the team to merge into from the list"),
        ],
    )
    submit = SubmitField("Merge", widget=GovSubmitInput())


class MergePersonForm(Form):
    into_email = StringField(
        "Merge into the member of staff with this email address",
        widget=GovTextInput(),
        validators=[
            InputRequired(message="Enter the email address of the member of staff to merge into"),
            Length(max=254, message="Enter an email address like name@council.gov.uk"),
        ],
    )
    submit = SubmitField("Merge", widget=GovSubmitInput())


class ConfirmImportForm(Form):
    """Confirms an import; one that closes many cases, or accepted no row, also needs the number
    of cases it closes typed (*expected*, set by the view from the preview; None: not needed)."""

    closures = StringField(
        "Type the number of cases that will close",
        widget=GovTextInput(),
        description="Type it as digits, for example 250.",
        validators=[Length(max=12)],  # no Optional(): it would skip validate_closures
    )
    submit = SubmitField("Import these cases", widget=GovSubmitInput())
    expected: int | None = None

    def validate_closures(self, field) -> None:
        if self.expected is None:
            return
        typed = (field.data or "").replace(",", "").strip()
        if not is_digits(typed) or int(typed) != self.expected:
            raise ValidationError(
                f"Type {self.expected}, the number of cases this import will close, to import it"
            )

    def confirmed(self) -> int | None:
        """The number typed, once it has passed validation (None when none was needed)."""
        return self.expected


class UndoImportForm(Form):
    submit = SubmitField("Undo this import", widget=GovSubmitInput())
