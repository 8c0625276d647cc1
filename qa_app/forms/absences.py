"""The form to record an absence or an exemption from auditing."""

from govuk_frontend_wtf.wtforms_widgets import (
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import RadioField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from qa_app.forms import choices
from qa_app.forms.base import Form
from qa_app.forms.fields import DatePartsField
from qa_app.services.sampling.absences import KINDS
from qa_app.textnorm import is_digits


def _user_id(value: object) -> int | None:
    return int(value) if is_digits(str(value or "")) else None


class AbsenceForm(Form):
    user_id = SelectField(
        "Member of staff",
        widget=GovSelect(),
        coerce=_user_id,
        validate_choice=False,
        validators=[
            InputRequired(message="Choose a member of staff"),
            DataRequired(message="Choose a member of staff from the list"),
        ],
    )
    kind = RadioField(
        "What is it?",
        choices=choices(KINDS.items()),
        default="absence",
        widget=GovRadioInput(),
        validators=[InputRequired(message="Choose absence or exemption")],
    )
    starts_on = DatePartsField(
        "First day",
        description="For example, 7 12 2026",
        required="Enter the first day, for example 7 12 2026",
    )
    ends_on = DatePartsField(
        "Last day",
        description="For example, 18 12 2026",
        required="Enter the last day, for example 18 12 2026",
    )
    reason = StringField(
        "Reason",
        widget=GovTextInput(),
        description="Needed for an exemption. Do not include health details.",
        validators=[Optional(), Length(max=200, message="Keep the reason under 200 characters")],
    )
    submit = SubmitField("Record it", widget=GovSubmitInput())
