"""The form to record an absence or an exemption from auditing."""

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovDateInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import DateField, RadioField, SelectField, StringField, SubmitField
from wtforms.validators import InputRequired, Length, Optional

from qa_app.forms import choices
from qa_app.services.sampling.absences import KINDS


class UkDateField(DateField):
    """A GOV.UK date input whose error says which date and how to write it."""

    def process(self, formdata, *args, **kwargs):
        super().process(formdata, *args, **kwargs)
        # A form posted without the field at all: GovDateInput can only redisplay three parts.
        if not self.raw_data:
            self.raw_data = None

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError as exc:
            raise ValueError(
                f"{self.label.text} must be a real date, for example 7 12 2026"
            ) from exc


def _user_id(value: object) -> int | None:
    return int(value) if str(value or "").isdigit() else None


class AbsenceForm(FlaskForm):
    user_id = SelectField(
        "Member of staff",
        widget=GovSelect(),
        coerce=_user_id,
        validate_choice=False,
        validators=[InputRequired(message="Choose a member of staff")],
    )
    kind = RadioField(
        "What is it?",
        choices=choices(KINDS.items()),
        default="absence",
        widget=GovRadioInput(),
        validators=[InputRequired(message="Choose absence or exemption")],
    )
    starts_on = UkDateField(
        "First day",
        widget=GovDateInput(),
        format="%d %m %Y",
        description="For example, 7 12 2026",
        validators=[InputRequired(message="Enter the first day, for example 7 12 2026")],
    )
    ends_on = UkDateField(
        "Last day",
        widget=GovDateInput(),
        format="%d %m %Y",
        description="For example, 18 12 2026",
        validators=[InputRequired(message="Enter the last day, for example 18 12 2026")],
    )
    reason = StringField(
        "Reason",
        widget=GovTextInput(),
        description="Needed for an exemption. Do not include health details.",
        validators=[Optional(), Length(max=200, message="Keep the reason under 200 characters")],
    )
    submit = SubmitField("Record it", widget=GovSubmitInput())
