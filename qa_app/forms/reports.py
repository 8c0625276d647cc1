"""Forms for the monthly report: build a version, edit key messages, create an API token."""

from govuk_frontend_wtf.wtforms_widgets import (
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, Regexp, ValidationError

from qa_app.forms.base import Form
from qa_app.services.reports.versions import MAX_KEY_MESSAGES


class BuildForm(Form):
    month = StringField(
        "Month",
        widget=GovTextInput(),
        description="For example, 2026-10",
        validators=[
            InputRequired(message="Enter the month to report on, like 2026-10"),
            Regexp(r"^\d{4}-(0[1-9]|1[0-2])$", message="Enter the month as YYYY-MM, like 2026-10"),
        ],
    )
    # Choices are the scopes the user may report on (scope.scope_choices), set by the view.
    scope = SelectField(
        "Scope",
        widget=GovSelect(),
        description="The whole council, one locality or one team.",
        validate_choice=False,
    )

    def validate_scope(self, field) -> None:
        # Blank means the user's own scope (scripts and older forms post none).
        if field.data and field.data not in {key for key, _label in field.choices or ()}:
            raise ValidationError(
                "Scope: choose the whole council, a locality or a team from the list"
            )

    submit = SubmitField("Build a new version", widget=GovSubmitInput())


class KeyMessagesForm(Form):
    key_messages = TextAreaField(
        "Key messages",
        widget=GovTextArea(),
        description="One message per line. They open the report and are printed in the PDF.",
        validators=[
            InputRequired(message="Enter at least one key message"),
            Length(
                max=MAX_KEY_MESSAGES,
                message=f"Key messages: at most {MAX_KEY_MESSAGES:,} characters",
            ),
        ],
    )
    submit = SubmitField("Save key messages", widget=GovSubmitInput())


class TokenForm(Form):
    name = StringField(
        "Token name",
        widget=GovTextInput(),
        description="What the token is for, like 'Power BI monthly refresh'",
        validators=[
            InputRequired(message="Enter a name for the token"),
            Length(max=100, message="Token name: at most 100 characters"),
        ],
    )
    submit = SubmitField("Create token", widget=GovSubmitInput())
