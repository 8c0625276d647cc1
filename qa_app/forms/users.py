"""Forms for managing staff."""

from flask_wtf.file import FileAllowed, FileField, FileRequired
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovCheckboxInput,
    GovFileInput,
    GovPasswordInput,
    GovSelect,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import (
    BooleanField,
    EmailField,
    IntegerField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError

from qa_app.clock import local_today
from qa_app.forms import choices
from qa_app.forms.base import Form
from qa_app.forms.fields import DatePartsField
from qa_app.models.vocab import ROLES
from qa_app.services.people.accounts import AccountError, check_qualified_on, is_email


class Email:
    """An email address in the form name@domain.tld (no look-ups: the council's own domains
    may not resolve from the server)."""

    def __init__(self, message: str):
        self.message = message

    def __call__(self, _form, field) -> None:
        if field.data and not is_email(field.data.strip()):
            raise ValidationError(self.message)


class UserForm(Form):
    name = StringField(
        "Full name",
        widget=GovTextInput(),
        validators=[InputRequired(message="Enter the full name"), Length(max=200)],
    )
    email = EmailField(
        "Email address",
        widget=GovTextInput(),
        validators=[
            InputRequired(message="Enter the email address"),
            Email(message="Enter an email address in the correct format, like name@example.gov.uk"),
            Length(max=254),
        ],
    )
    roles = SelectMultipleField(
        "Roles",
        choices=choices(ROLES.items()),
        widget=GovCheckboxesInput(),
        description="Select all that apply.",
        validators=[InputRequired(message="Select at least one role")],
    )
    team_id = SelectField("Team", coerce=str, widget=GovSelect(), validators=[Optional()])
    locality_id = SelectField(
        "Locality led",
        coerce=str,
        widget=GovSelect(),
        description="For heads of service and others who lead a locality rather than a team.",
        validators=[Optional()],
    )
    line_manager_email = EmailField(
        "Line manager's email address",
        widget=GovTextInput(),
        validators=[
            Optional(),
            Email(message="Enter the line manager's email address in the correct format"),
        ],
    )
    capacity = IntegerField(
        "Monthly audit capacity",
        widget=GovTextInput(),
        description="Leave blank to use the default for the person's roles.",
        validators=[
            Optional(),
            NumberRange(min=0, max=50, message="Enter a number of audits from 0 to 50"),
        ],
    )
    qualified_on = DatePartsField(
        "Date qualified as a social worker",
        description="Caseloads are reported by years since qualification. For example, 1 9 2023",
    )
    active = BooleanField("Account is active", widget=GovCheckboxInput(), default=True)
    submit = SubmitField("Save", widget=GovSubmitInput())

    def validate_qualified_on(self, field) -> None:
        try:
            check_qualified_on(field.data, today=local_today())
        except AccountError as exc:
            raise ValidationError(str(exc)) from exc


class TemporaryPasswordForm(Form):
    password = PasswordField(
        "Temporary password",
        widget=GovPasswordInput(),
        description="Give it to the person securely. They must change it when they next sign in.",
        validators=[InputRequired(message="Enter a temporary password"), Length(max=200)],
    )
    submit = SubmitField("Set temporary password", widget=GovSubmitInput())


class StaffImportForm(Form):
    file = FileField(
        "Staff file (CSV)",
        widget=GovFileInput(),
        description="Columns: name, email, roles, team, line_manager_email, capacity.",
        validators=[
            FileRequired(message="Select a CSV file"),
            FileAllowed(["csv"], message="The selected file must be a CSV"),
        ],
    )
    submit = SubmitField("Import staff", widget=GovSubmitInput())


class UserSearchForm(Form):
    class Meta:
        csrf = False

    q = StringField(
        "Name or email", widget=GovTextInput(), validators=[Optional(), Length(max=200)]
    )
    role = SelectField(
        "Role",
        choices=choices([("", "Any role"), *ROLES.items()]),
        widget=GovSelect(),
        validators=[Optional()],
    )
    status = SelectField(
        "Status",
        choices=choices(
            [
                ("", "Any"),
                ("active", "Active"),
                ("inactive", "Inactive"),
                ("pending", "Pending"),
                ("locked", "Locked"),
            ]
        ),
        widget=GovSelect(),
        validators=[Optional()],
    )
    submit = SubmitField("Search", widget=GovSubmitInput())
