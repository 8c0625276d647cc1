"""The base of every form here: Flask-WTF's FlaskForm, fed only what an HTML form can send.

Flask-WTF gives a form every uploaded file beside the text fields, and a JSON body as form
data. Then a text field posted as a file upload, or as a JSON object, reached validators that
expect text and raised (a 500). Here a file reaches only the form's file fields and a JSON body
none at all, so a field sent the wrong type is simply missing, and its validators say so.

Text holding a NUL or another control character is refused by every form: PostgreSQL cannot
store a NUL in a text column (the insert raised, a 500) and no one types one.
"""

import re

from flask import request
from flask_wtf import FlaskForm
from flask_wtf.form import _Auto  # FlaskForm's "read the request" default
from werkzeug.datastructures import CombinedMultiDict, MultiDict
from wtforms.fields import FileField

CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def control_character_error(value: object) -> str | None:
    """The message for text holding a character no form should carry, or None."""
    if isinstance(value, str) and CONTROL_CHARACTERS.search(value):
        return "Remove the control character (such as a null byte) from this answer"
    return None


class Form(FlaskForm):
    """A FlaskForm whose text fields see only text."""

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        for field in self:
            message = control_character_error(field.data)
            if message:
                field.errors = [*field.errors, message]
                valid = False
        return valid

    class Meta(FlaskForm.Meta):
        def wrap_formdata(self, form, formdata):
            if formdata is not _Auto or not FlaskForm.is_submitted(form):
                return super().wrap_formdata(form, formdata)
            file_fields = {f.name for f in form if isinstance(f, FileField)}
            files = MultiDict(
                (name, value)
                for name, value in request.files.items(multi=True)
                if name in file_fields
            )
            return CombinedMultiDict((files, request.form))
