"""Fields shared by several forms, each of which turns any malformed input into a field error."""

from datetime import date

from govuk_frontend_wtf.wtforms_widgets import GovDateInput
from wtforms import Field
from wtforms.validators import StopValidation

from qa_app.textnorm import is_digits

PARTS = ("day", "month", "year")


class DatePartsRequired:
    """The date must be entered (any part given is checked by the field itself)."""

    field_flags = {"required": True}

    def __init__(self, message: str):
        self.message = message

    def __call__(self, _form, field) -> None:
        if not any(field.raw_data or ()):
            field.errors[:] = []
            raise StopValidation(self.message)


class DatePartsField(Field):
    """A GOV.UK date input: day, month and year boxes sent under one name.

    Every malformed entry is a field error that names the date and the part: a missing part
    (the browser sends two values, not three), text, a day that does not exist, a year that is
    not four figures. The widget is always given exactly three parts to show back, whatever was
    sent. An empty date is ``None``; pass *required* (the message) to refuse it. Do not add
    ``Optional()`` or ``InputRequired()``: they read only the first (day) box.
    """

    widget = GovDateInput()

    def __init__(self, label=None, validators=None, *, required: str | None = None, **kwargs):
        validators = list(validators or [])
        if required:
            validators.insert(0, DatePartsRequired(required))
        super().__init__(label, validators, **kwargs)

    def _value(self) -> str:
        return self.data.strftime("%d %m %Y") if self.data else ""

    def process_formdata(self, valuelist):
        sent = [str(v).strip() for v in valuelist]
        self.raw_data = [*sent, "", "", ""][:3]
        self.data = None
        if not any(sent):
            return
        self.data = parse_date_parts(self.label.text, sent)


def parse_date_parts(label: str, parts: list[str]) -> date:
    """The date that day, month and year *parts* give; ValueError names what is wrong."""
    example = f"{label} must be a real date, for example 7 12 2026"
    if len(parts) != len(PARTS):
        raise ValueError(example)
    missing = [name for name, part in zip(PARTS, parts, strict=True) if not part]
    if missing:
        raise ValueError(f"{label} must include a {' and a '.join(missing)}")
    if not all(is_digits(part) for part in parts):
        raise ValueError(f"{label} must be a real date, written in numbers, like 7 12 2026")
    day, month, year = parts
    if len(year) != 4 or len(day) > 2 or len(month) > 2:
        raise ValueError(f"{label}: the year must have 4 numbers, like 7 12 2026")
    try:
        return date(int(year), int(month), int(day))
    except ValueError:
        raise ValueError(example) from None
