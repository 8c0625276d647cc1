"""WTForms: they validate and shape input only; decisions are made in qa_app.services."""

from collections.abc import Iterable

from flask_wtf import FlaskForm
from wtforms.fields.choices import SelectChoice


def choices(pairs: Iterable[tuple[object, str]]) -> list[SelectChoice]:
    """(value, label) pairs as the SelectChoice objects WTForms 3.3 expects."""
    return [SelectChoice(value=str(value), label=label) for value, label in pairs]


def first_error(form: FlaskForm) -> str | None:
    """The first error message of *form*, for pages that show one message for the whole form."""
    for messages in form.errors.values():
        if messages:
            return str(messages[0])
    return None
