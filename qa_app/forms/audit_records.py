"""Forms around a submitted audit: reflections, reopening and safeguarding concerns.

The audit pages themselves are shaped in qa_app.forms.audits (their fields come from the
toolkit). Length limits here match the services', which check them again for every caller.
"""

from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSubmitInput, GovTextArea
from wtforms import HiddenField, RadioField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from qa_app.forms import choices
from qa_app.forms.base import Form
from qa_app.services.audits.reflections import AGREEMENT_LABELS, MAX_COMMENTS
from qa_app.services.audits.safeguarding import MAX_TEXT as MAX_CONCERN
from qa_app.services.audits.submission import MAX_REOPEN_REASON


class ReflectionForm(Form):
    agreement = RadioField(
        "Do you agree with the audit?",
        choices=choices(AGREEMENT_LABELS.items()),
        widget=GovRadioInput(),
        validators=[InputRequired(message="Select whether you agree, partly agree or disagree")],
    )
    comments = TextAreaField(
        "Your comments",
        widget=GovTextArea(),
        description="What you take from the audit, what you would add, and anything you "
        "disagree with and why.",
        validators=[
            InputRequired(message="Enter your comments on the audit"),
            Length(max=MAX_COMMENTS, message=f"Keep your comments to {MAX_COMMENTS:,} characters"),
        ],
    )
    submit = SubmitField("Save reflection", widget=GovSubmitInput())


class ReopenForm(Form):
    reason = TextAreaField(
        "Why is the audit reopened?",
        widget=GovTextArea(),
        description="The auditor sees this reason.",
        validators=[
            InputRequired(message="Enter why the audit is being reopened"),
            Length(
                max=MAX_REOPEN_REASON,
                message=f"Keep the reason to {MAX_REOPEN_REASON:,} characters",
            ),
        ],
    )
    submit = SubmitField("Reopen the audit", widget=GovSubmitInput())


class ConcernForm(Form):
    what = TextAreaField(
        "What is the concern?",
        widget=GovTextArea(),
        validators=[
            InputRequired(message="Enter what the safeguarding concern is"),
            Length(max=MAX_CONCERN, message=f"Shorten this to {MAX_CONCERN:,} characters"),
        ],
    )
    why = TextAreaField(
        "Why does it need action now?",
        widget=GovTextArea(),
        validators=[
            InputRequired(message="Enter why you are concerned"),
            Length(max=MAX_CONCERN, message=f"Shorten this to {MAX_CONCERN:,} characters"),
        ],
    )
    # Where to go afterwards; checked by the view before it is followed.
    next = HiddenField(validators=[Optional(), Length(max=2_000)])
    submit = SubmitField("Raise the concern", widget=GovSubmitInput())
