"""Forms for disputes, the head of service's decision, qa_admin's moderation list and tier 3
reviews. The rules (who may, what a decision needs) stay in qa_app.services.moderation.

The blind and final moderation screens are not here: their fields are the sections of the
audit's toolkit version, like the audit pages (see qa_app.forms.audits); the moderation service
checks every value they send.
"""

from govuk_frontend_wtf.wtforms_widgets import (
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import IntegerField, RadioField, SelectField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from qa_app.forms import choices
from qa_app.forms.base import Form
from qa_app.forms.fields import DatePartsField
from qa_app.models.vocab import GRADES
from qa_app.textnorm import is_digits

MAX_TEXT = 5_000
_LONG = f"at most {MAX_TEXT:,} characters"
_ID = NumberRange(min=1, max=2**31 - 1, message="Choose from the list")


class DisputeForm(Form):
    reason = TextAreaField(
        "Why do you dispute the moderated grade?",
        widget=GovTextArea(),
        validators=[
            InputRequired(message="Say why you dispute the moderated grade"),
            Length(max=MAX_TEXT, message=f"Keep the reason to {_LONG}"),
        ],
    )
    submit = SubmitField("Send the dispute", widget=GovSubmitInput())


class DecideDisputeForm(Form):
    decision = RadioField(
        "Decision",
        choices=choices(
            [
                ("uphold", "Uphold the dispute and set the reported grade"),
                ("reject", "Reject the dispute: the moderated grade stands"),
            ]
        ),
        widget=GovRadioInput(),
        validators=[InputRequired(message="Choose whether to uphold or reject the dispute")],
    )
    grade = RadioField(
        "Grade to report (if upheld)",
        choices=choices((code, f"{code} {label}") for code, label in GRADES.items()),
        widget=GovRadioInput(),
        validators=[Optional()],
    )
    note = TextAreaField(
        "Reason for your decision",
        widget=GovTextArea(),
        validators=[
            InputRequired(message="Give the reason for your decision"),
            Length(max=MAX_TEXT, message=f"Keep the reason to {_LONG}"),
        ],
    )
    submit = SubmitField("Record the decision", widget=GovSubmitInput())


class AddForModerationForm(Form):
    audit_id = IntegerField(
        "Audit number",
        widget=GovTextInput(),
        description="The number shown on the audit, for example 1234.",
        validators=[
            InputRequired(message="Enter the number of the audit to moderate"),
            NumberRange(min=1, max=2**31 - 1, message="Enter the audit number, like 1234"),
        ],
    )
    submit = SubmitField("Add for moderation", widget=GovSubmitInput())


class ReassignModeratorForm(Form):
    # A number, not a SelectField: the list is drawn per row on the page, and the moderation
    # service checks that the person chosen may moderate.
    moderator_id = IntegerField(
        "Moderator",
        validators=[InputRequired(message="Choose a moderator"), _ID],
    )
    submit = SubmitField("Give to moderator", widget=GovSubmitInput())


class Tier3ReviewForm(Form):
    agrees_grade = RadioField(
        "Do you agree with the grade?",
        choices=choices([("yes", "Yes"), ("no", "No")]),
        widget=GovRadioInput(),
        validators=[InputRequired(message="Say whether you agree with the grade")],
    )
    grade_comment = TextAreaField(
        "Comment on the grade (required if you do not agree)",
        widget=GovTextArea(),
        validators=[Optional(), Length(max=MAX_TEXT, message=f"Keep the comment to {_LONG}")],
    )
    actions = TextAreaField(
        "Immediate actions, one a line",
        widget=GovTextArea(),
        description="Each line is raised as a high-priority action on the case, owned by the "
        "allocated worker.",
        validators=[Optional(), Length(max=MAX_TEXT, message=f"Keep the actions to {_LONG}")],
    )
    overseen_by = SelectField(
        "Who oversees the actions",
        coerce=lambda value: int(value) if is_digits(str(value or "")) else None,
        widget=GovSelect(),
        validators=[Optional()],
    )
    reaudit_by = DatePartsField("Re-audit the case by", description="For example, 15 1 2027")
    submit = SubmitField("Record the tier 3 review", widget=GovSubmitInput())
