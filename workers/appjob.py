"""The RQ job class: every job runs in its own app context with a fresh database session."""

import os
from typing import ClassVar

from flask import Flask, current_app
from rq.job import Job

from qa_app.extensions import db


class AppJob(Job):
    # Set by workers.runner in a worker process; in synchronous mode (tests) the job runs in
    # the app that enqueued it.
    app: ClassVar[Flask | None] = None
    parent_pid: ClassVar[int | None] = None

    def _execute(self):
        app = type(self).app or current_app._get_current_object()
        with app.app_context():
            if type(self).parent_pid not in (None, os.getpid()):
                # A forked work-horse must not share the parent's pooled connections.
                for engine in db.engines.values():
                    engine.dispose(close=False)
            try:
                return super()._execute()
            finally:
                db.session.remove()
