"""The base of every form here: Flask-WTF's FlaskForm, fed only what an HTML form can send.

Flask-WTF gives a form every uploaded file beside the text fields, and a JSON body as form
data. Then a text field posted as a file upload, or as a JSON object, reached validators that
expect text and raised (a 500). Here a file reaches only the form's file fields and a JSON body
none at all, so a field sent the wrong type is simply missing, and its validators say so.
"""

from flask import request
from flask_wtf import FlaskForm
from flask_wtf.form import _Auto  # FlaskForm's "read the request" default
from werkzeug.datastructures import CombinedMultiDict, MultiDict
from wtforms.fields import FileField


class Form(FlaskForm):
    """A FlaskForm whose text fields see only text."""

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
