"""WTForms: they validate and shape input only; decisions are made in qa_app.services."""

from collections.abc import Iterable

from wtforms.fields.choices import SelectChoice


def choices(pairs: Iterable[tuple[object, str]]) -> list[SelectChoice]:
    """(value, label) pairs as the SelectChoice objects WTForms 3.3 expects."""
    return [SelectChoice(value=str(value), label=label) for value, label in pairs]
