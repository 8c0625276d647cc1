"""Forms for audit cycles, extension requests and notification settings."""

from govuk_frontend_wtf.wtforms_widgets import (
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import (
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional, Regexp

from qa_app.forms import choices
from qa_app.forms.base import Form
from qa_app.services.platform.notifications import NOTIFICATION_MODES
from qa_app.services.sampling.extension_requests import MAX_DAYS


class DrawForm(Form):
    month = StringField(
        "Month",
        widget=GovTextInput(),
        description="For example, 2026-11",
        validators=[
            InputRequired(message="Enter the month to draw, like 2026-11"),
            Regexp(r"^\d{4}-\d{2}$", message="Enter the month in the form YYYY-MM, like 2026-11"),
        ],
    )
    rate = StringField(
        "Sampling rate",
        widget=GovTextInput(),
        description="Leave blank for 10%. For example, 0.1 or 12.5%.",
        validators=[Optional(), Length(max=10)],
    )
    seed = IntegerField(
        "Seed",
        widget=GovTextInput(),
        description="Leave blank for a new random seed. The same seed and frame give the same sample.",
        validators=[Optional(), NumberRange(min=0, max=2**62, message="Enter a whole number")],
    )
    reference_date = StringField(
        "Reference date",
        widget=GovTextInput(),
        description="Cases open on this date form the frame. Leave blank for the 1st of the month.",
        validators=[
            Optional(),
            Regexp(r"^\d{4}-\d{2}-\d{2}$", message="Enter the date as YYYY-MM-DD, like 2026-11-01"),
        ],
    )
    submit = SubmitField("Draw the sample", widget=GovSubmitInput())


class AddCaseForm(Form):
    child_id = StringField(
        "Council child id",
        widget=GovTextInput(),
        validators=[InputRequired(message="Enter the child id of the case to add"), Length(max=40)],
    )
    selection = RadioField(
        "Why is it added?",
        choices=choices(
            [
                ("thematic", "Thematic: part of this month's theme"),
                ("tier3", "Tier 3: for the head of service or DCS"),
            ]
        ),
        default="thematic",
        widget=GovRadioInput(),
        validators=[InputRequired(message="Choose thematic or tier 3")],
    )
    note = StringField(
        "Theme or reason",
        widget=GovTextInput(),
        validators=[Optional(), Length(max=300, message="Keep the reason under 300 characters")],
    )
    submit = SubmitField("Add the case", widget=GovSubmitInput())


class ReassignForm(Form):
    auditor_id = SelectField(
        "New auditor",
        coerce=str,
        validate_choice=False,
        widget=GovSelect(),
        validators=[InputRequired(message="Choose the auditor")],
    )
    submit = SubmitField("Reassign", widget=GovSubmitInput())


class SwapForm(Form):
    other_child_id = StringField(
        "Swap auditors with the case of child",
        widget=GovTextInput(),
        description="The council child id of another case in this month's sample.",
        validators=[InputRequired(message="Enter the child id of the other case"), Length(max=40)],
    )
    submit = SubmitField("Swap auditors", widget=GovSubmitInput())


class PublishForm(Form):
    """Publish the allocation; the checkbox (shown only when the sample holds cases closed since
    the draw) carries the number of closed cases the QA lead agreed to publish with."""

    confirm_closed = IntegerField(
        "Publish with closed cases",
        validators=[
            Optional(),
            NumberRange(min=0, max=100_000, message="Tick the box or leave it"),
        ],
    )


class ExtensionForm(Form):
    working_days = IntegerField(
        "How many more working days do you need?",
        widget=GovTextInput(),
        description="Up to 5 working days are decided by your line manager; more by the principal social worker.",
        validators=[
            InputRequired(message="Enter the number of working days"),
            NumberRange(min=1, max=MAX_DAYS, message=f"Enter a number from 1 to {MAX_DAYS}"),
        ],
    )
    reason = TextAreaField(
        "Why do you need more time?",
        widget=GovTextArea(),
        validators=[
            InputRequired(message="Say why you need more time"),
            Length(max=2000, message="Keep the reason under 2,000 characters"),
        ],
    )
    submit = SubmitField("Ask for an extension", widget=GovSubmitInput())


class DecisionForm(Form):
    decision = RadioField(
        "Decision",
        choices=choices([("approve", "Approve"), ("refuse", "Refuse")]),
        widget=GovRadioInput(),
        validators=[InputRequired(message="Choose approve or refuse")],
    )
    note = StringField(
        "Note to the auditor (optional)",
        widget=GovTextInput(),
        validators=[Optional(), Length(max=500)],
    )
    submit = SubmitField("Record the decision", widget=GovSubmitInput())


class NotificationModeForm(Form):
    mode = RadioField(
        "How should we email you?",
        choices=choices(NOTIFICATION_MODES.items()),
        widget=GovRadioInput(),
        validators=[InputRequired(message="Choose how you want to be emailed")],
    )
    submit = SubmitField("Save", widget=GovSubmitInput())


class ReadForm(Form):
    """Marking a notification read; *next* is where to go back to (checked before use)."""

    next = HiddenField(validators=[Optional(), Length(max=2_000)])
