"""Error pages in the service's own design."""

from flask import Flask, render_template
from flask_wtf.csrf import CSRFError

from qa_app.extensions import db

MESSAGES = {
    400: ("Sorry, there is a problem with your request", "The request could not be understood."),
    403: (
        "You do not have permission to see this page",
        "Your roles do not include this part of the service. If you need it, ask the QA team.",
    ),
    404: ("Page not found", "If you typed the web address, check it is correct."),
    405: ("Sorry, that action is not allowed here", "Go back and use the buttons on the page."),
    413: ("The file is too large", "Upload a smaller file, or split it into several files."),
    500: (
        "Sorry, there is a problem with the service",
        "Try again later. Nothing you saved has been lost.",
    ),
}


def _render(code: int, detail: str | None = None):
    title, body = MESSAGES[code]
    return render_template("errors/error.html", code=code, title=title, body=detail or body), code


def register_error_handlers(app: Flask) -> None:
    for code in (400, 403, 404, 405, 413):
        app.register_error_handler(code, lambda exc, code=code: _render(code))

    @app.errorhandler(CSRFError)
    def csrf_error(_exc):
        return _render(
            400,
            "The form had expired or was sent from another page. Go back, reload the page and "
            "try again.",
        )

    @app.errorhandler(500)
    def server_error(_exc):
        db.session.rollback()
        return _render(500)
