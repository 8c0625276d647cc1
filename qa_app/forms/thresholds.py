"""Forms for the thresholds: an indicator's bands (rows in ascending order of value) and a
comparator figure."""

import re
from decimal import Decimal

from govuk_frontend_wtf.wtforms_widgets import (
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import (
    DecimalField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from qa_app.forms import choices
from qa_app.forms.base import Form
from qa_app.services.performance.bands import (
    BAND_NAMES,
    MAX_STEPS,
    SHAPES,
    Bands,
    BandsError,
    parse_bands,
    plain,
)

NOT_RATED = "none"
EDGES = ("below", "up_to")  # the limit goes to the next row | stays in this row
_STEP = re.compile(r"steps\[(\d+)\](\.band)?")


class NumberField(DecimalField):
    """A number whose error names the field and gives an example, shown as entered (16, not
    16.00)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("places", None)
        super().__init__(*args, **kwargs)

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError as exc:
            raise ValueError(f"{self.label.text} must be a number, for example 21.5") from exc


class BandsForm(Form):
    """Shape, up to MAX_STEPS rows (band, upper limit, edge), the month and the reason.

    The rows' fields (``band_1``, ``limit_1``, ``edge_1`` ...) are added below the class.
    """

    shape = RadioField(
        "How do the bands run?",
        choices=choices([*SHAPES.items(), (NOT_RATED, "Not rated")]),
        widget=GovRadioInput(),
        validators=[InputRequired(message="Choose how the bands run")],
    )
    effective_from = SelectField(
        "Month the bands take effect",
        widget=GovSelect(),
        description="Months before it keep the bands they had.",
        validators=[InputRequired(message="Choose the month the bands take effect")],
    )
    reason = TextAreaField(
        "Why are the bands changing?",
        widget=GovTextArea(),
        description="For example, the board's decision and its date.",
        validators=[
            InputRequired(message="Say why the bands are changing"),
            Length(max=1000, message="Keep the reason under 1,000 characters"),
        ],
    )
    based_on = HiddenField()
    submit = SubmitField("Save the bands", widget=GovSubmitInput())

    @property
    def rows(self) -> list[tuple]:
        """(row number, band field, limit field or None, edge field or None) per row."""
        return [
            (
                i,
                self[f"band_{i}"],
                self[f"limit_{i}"] if i < MAX_STEPS else None,
                self[f"edge_{i}"] if i < MAX_STEPS else None,
            )
            for i in range(1, MAX_STEPS + 1)
        ]

    def validate(self, extra_validators=None) -> bool:
        """The fields, and the bands as a whole, so that every problem shows at once (the
        service checks the bands again when saving)."""
        valid = super().validate(extra_validators)
        if self.shape.data in SHAPES:
            data, rows = self.bands_data()
            try:
                parse_bands(data)
            except BandsError as exc:
                self.add_error(str(exc), rows)
                valid = False
        return valid

    def fill(self, bands: Bands | None) -> None:
        """Show *bands* in the rows (for a GET)."""
        self.shape.data = bands.shape if bands else NOT_RATED
        steps = bands.steps if bands else ()
        for i, band, limit, edge in self.rows:
            step = steps[i - 1] if i <= len(steps) else None
            band.data = step.band if step else ""
            if limit is not None:
                has_limit = step is not None and step.limit is not None
                limit.data = Decimal(str(plain(step.limit))) if has_limit else None
                edge.data = "up_to" if has_limit and step.inclusive else "below"

    def bands_data(self) -> tuple[dict | None, list[int]]:
        """The stored form of the bands entered (None: not rated), and the form row of each
        step. Rows without a band are skipped; the last filled row takes every value above."""
        if self.shape.data == NOT_RATED:
            return None, []
        filled = [(i, band, limit, edge) for i, band, limit, edge in self.rows if band.data]
        steps = []
        for n, (_i, band, limit, edge) in enumerate(filled):
            step = {"band": band.data}
            if n < len(filled) - 1 or (limit is not None and limit.data is not None):
                step[edge.data if edge and edge.data in EDGES else "below"] = (
                    float(limit.data) if limit is not None and limit.data is not None else None
                )
            steps.append(step)
        return {"shape": self.shape.data, "steps": steps}, [i for i, *_ in filled]

    def add_error(self, message: str, rows: list[int]) -> None:
        """Put a service message about step n beside that row's fields, as "Row 3: ..."."""
        match = _STEP.search(message)
        if not match or int(match.group(1)) >= len(rows):
            self.shape.errors.append(message.replace("bands.steps: ", "").replace("bands: ", ""))
            return
        row = rows[int(match.group(1))]
        detail = message.split(": ", 1)[-1]
        if "one of below" in detail or detail.startswith("must be a number"):
            detail = "enter an upper limit"
        target = self[f"band_{row}"] if match.group(2) or row == MAX_STEPS else self[f"limit_{row}"]
        target.errors.append(f"Row {row}: {detail}")


for _i in range(1, MAX_STEPS + 1):
    setattr(
        BandsForm,
        f"band_{_i}",
        SelectField(
            f"Band in row {_i}",
            choices=choices([("", "(no band)"), *BAND_NAMES.items()]),
            widget=GovSelect(),
            validators=[Optional()],
        ),
    )
    if _i < MAX_STEPS:
        setattr(
            BandsForm,
            f"limit_{_i}",
            NumberField(f"Upper limit of row {_i}", widget=GovTextInput(), validators=[Optional()]),
        )
        setattr(
            BandsForm,
            f"edge_{_i}",
            SelectField(
                f"Values at the limit of row {_i}",
                choices=choices([("below", "go to the next row"), ("up_to", "stay in this row")]),
                default="below",
                widget=GovSelect(),
            ),
        )


class ComparatorForm(Form):
    label = StringField(
        "Name",
        widget=GovTextInput(),
        description="For example, Statistical neighbours or Regional average.",
        validators=[
            InputRequired(message="Enter a name for the comparator"),
            Length(max=120, message="Keep the name under 120 characters"),
        ],
    )
    figure = NumberField(
        "Figure",
        widget=GovTextInput(),
        description="In the indicator's unit, for example 21.0 for 21.0%.",
        validators=[InputRequired(message="Enter the comparator's figure, for example 21.0")],
    )
    year = IntegerField(
        "Year",
        widget=GovTextInput(),
        validators=[
            InputRequired(message="Enter the year of the figure, for example 2024"),
            NumberRange(min=2000, max=2100, message="Enter a year from 2000 to 2100"),
        ],
    )
    source = StringField(
        "Source",
        widget=GovTextInput(),
        description="Where the figure is published, for example DfE LAIT 2024.",
        validators=[
            InputRequired(message="Say where the figure comes from"),
            Length(max=300, message="Keep the source under 300 characters"),
        ],
    )
    submit = SubmitField("Save the comparator", widget=GovSubmitInput())
