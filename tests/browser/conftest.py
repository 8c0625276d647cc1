"""Browser tests: Debian's Chromium driven by Playwright against a live server with a demo council."""

import shutil
import threading
from datetime import datetime

import pytest
from werkzeug.serving import make_server

from qa_app.clock import local_today
from qa_app.demo import seed_demo
from qa_app.extensions import db
from tests.conftest import ON_CI, TEST_DATABASE_URL, empty_all_tables, make_app

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--disable-dev-shm-usage",
]


def pytest_collection_modifyitems(items):
    for item in items:
        if item.path.parent.name == "browser":
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        if ON_CI:
            pytest.fail("Chromium is not installed: CI needs it for the browser tests")
        pytest.skip("Chromium is not installed (scripts/test installs it)")
    return {
        **browser_type_launch_args,
        "executable_path": chromium,
        "headless": True,
        "args": CHROMIUM_ARGS,
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 1366, "height": 768}, "locale": "en-GB"}


class LiveServer:
    def __init__(self, app):
        self.app = app
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.server.shutdown()
        self.thread.join(timeout=10)


@pytest.fixture(scope="module")
def live_server(_postgres_schema, tmp_path_factory):
    """The app on a free port with a small demo council (its own database for the module)."""
    url = TEST_DATABASE_URL or f"sqlite:///{tmp_path_factory.mktemp('browser')}/live.sqlite"
    app = make_app(DATABASE_URL=url, WTF_CSRF_ENABLED=True)
    with app.app_context():
        if not TEST_DATABASE_URL:
            db.create_all()
        seed_demo(cases=300, seed=2026, today=local_today(), now=datetime.now())
        db.session.commit()
    server = LiveServer(app).start()
    yield server
    server.stop()
    with app.app_context():
        db.session.remove()
        if TEST_DATABASE_URL:
            empty_all_tables()
        db.engine.dispose()
