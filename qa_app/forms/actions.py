"""Forms for working an action. Rules (what is required, who may) live in
qa_app.services.actions.lifecycle; these forms shape input and carry the version seen."""

from govuk_frontend_wtf.wtforms_widgets import (
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import HiddenField, RadioField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Optional

from qa_app.forms import choices
from qa_app.forms.base import Form

EFFECT_CHOICES = [("yes", "Yes"), ("partly", "Partly"), ("no", "No")]


class _Versioned(Form):
    version = HiddenField(validators=[InputRequired(message="The form is missing its version")])


class StartForm(_Versioned):
    submit = SubmitField("Start work on this action", widget=GovSubmitInput())


class CompleteForm(_Versioned):
    evidence = TextAreaField(
        "What was done?",
        widget=GovTextArea(),
        description="The evidence that the action is complete, for the person who verifies it.",
        validators=[Optional()],
    )
    evidence_link = StringField(
        "Link to the case record (optional)",
        widget=GovTextInput(),
        description="The web address of the record in the case management system.",
        validators=[Optional()],
    )
    submit = SubmitField("Mark as completed", widget=GovSubmitInput())


class VerifyForm(_Versioned):
    effectiveness = RadioField(
        "Did the action make a difference for the child?",
        choices=choices(EFFECT_CHOICES),
        widget=GovRadioInput(),
        validate_choice=False,
        validators=[Optional()],
    )
    note = TextAreaField("Note (optional)", widget=GovTextArea(), validators=[Optional()])
    submit = SubmitField("Verify", widget=GovSubmitInput())


class ReasonForm(_Versioned):
    reason = TextAreaField("Reason", widget=GovTextArea(), validators=[Optional()])
    submit = SubmitField("Confirm", widget=GovSubmitInput())


class ReassignForm(_Versioned):
    owner = SelectField(
        "New owner",
        coerce=str,
        validate_choice=False,
        widget=GovSelect(),
        validators=[Optional()],
    )
    reason = TextAreaField("Reason (optional)", widget=GovTextArea(), validators=[Optional()])
    submit = SubmitField("Reassign", widget=GovSubmitInput())


class DueDateForm(_Versioned):
    due_on = StringField(
        "New due date",
        widget=GovTextInput(),
        description="A working day, for example 2027-01-15",
        validators=[Optional()],
    )
    reason = TextAreaField(
        "Why does the due date change?", widget=GovTextArea(), validators=[Optional()]
    )
    submit = SubmitField("Change the due date", widget=GovSubmitInput())
