"""gunicorn settings read from the working directory (`gunicorn 'qa_app:create_app()'`)."""


def post_worker_init(worker):
    """Warm WeasyPrint in each worker before it serves, so the first audit PDF is not slow."""
    from qa_app.pdf import warm_up  # noqa: PLC0415

    warm_up()
