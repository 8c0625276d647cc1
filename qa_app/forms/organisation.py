"""Forms for the organisation's teams."""

from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxInput,
    GovSelect,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import BooleanField, SelectField, StringField, SubmitField
from wtforms.validators import InputRequired, Length, Optional

from qa_app.forms import choices
from qa_app.forms.base import Form
from qa_app.models.vocab import SERVICES


class TeamForm(Form):
    name = StringField(
        "Team name",
        widget=GovTextInput(),
        validators=[InputRequired(message="Enter the team name"), Length(max=200)],
    )
    locality_id = SelectField("Locality", coerce=str, widget=GovSelect(), validators=[Optional()])
    service = SelectField(
        "Service area",
        choices=choices([("", "Not set"), *SERVICES.items()]),
        widget=GovSelect(),
        validators=[Optional()],
    )
    active = BooleanField("Team is active", widget=GovCheckboxInput(), default=True)
    submit = SubmitField("Save team", widget=GovSubmitInput())
