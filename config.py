"""Configuration defaults for Casefile QA.

Classes only: nothing here reads the environment or touches the disk. `create_app` picks a class
(argument, or the ``QA_CONFIG`` environment variable) and then applies ``QA_``-prefixed
environment variables on top, e.g. ``QA_DATABASE_URL``, ``QA_REDIS_URL``, ``QA_SECRET_KEY``.
"""

from datetime import timedelta


class Config:
    SERVICE_NAME = "Casefile QA"
    COUNCIL_NAME = "Demo Council"
    TIMEZONE = "Europe/London"

    SECRET_KEY: str | None = None
    # None: a SQLite file in the instance folder (see qa_app.create_app).
    DATABASE_URL: str | None = None
    REDIS_URL = "redis://127.0.0.1:6379/0"
    # Fail fast instead of redis-py's default of retrying a refused connection for seconds.
    REDIS_SOCKET_TIMEOUT = 2.0
    RQ_QUEUES = ("default", "imports", "reports")
    RQ_ASYNC = True
    JOB_TIMEOUT_SECONDS = 1800
    # After each import, a job computes the performance board people open first (seconds for a
    # large council), so nobody waits for it: qa_app.services.performance.warm.
    PERFORMANCE_WARM_AFTER_IMPORT = True
    # Actions chased per transaction by the daily chase job (see qa_app.services.actions.chase).
    ACTION_CHASE_BATCH_SIZE = 2000

    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    SQLALCHEMY_RECORD_QUERIES = False

    # Sessions: no remember-me cookie; the server also enforces the idle timeout.
    SESSION_COOKIE_NAME = "casefile_session"
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    PERMANENT_SESSION_LIFETIME = timedelta(minutes=30)
    IDLE_TIMEOUT_MINUTES = 30
    LOGIN_MAX_FAILURES = 5
    LOGIN_LOCKOUT_MINUTES = 15
    # Failed sign-ins from one address (any accounts) before it is refused for a while (429).
    LOGIN_MAX_FAILURES_PER_ADDRESS = 20
    LOGIN_ADDRESS_WINDOW_MINUTES = 15
    PASSWORD_MIN_LENGTH = 12
    # Personal API tokens expire this many days after they are created or renewed.
    API_TOKEN_DAYS = 90
    # Proxies in front of the app that set X-Forwarded-For / X-Forwarded-Proto (0: none, and
    # those headers are ignored, so a client cannot choose the address it is throttled by).
    PROXY_FIX_X_FOR = 0
    PROXY_FIX_X_PROTO = 0

    WTF_CSRF_ENABLED = True
    WTF_CSRF_TIME_LIMIT = None  # the session lifetime bounds the token
    MAX_CONTENT_LENGTH = 64 * 1024 * 1024

    # Case data imports (qa import, the Imports page).
    IMPORT_MAX_FILE_BYTES = 200 * 1024 * 1024
    IMPORT_MAX_ROWS = 500_000  # data rows per sheet, table or XML file, counted before reading
    IMPORT_MAX_SHEETS = 60
    # A workbook is a ZIP: refused if its parts inflate to more than this, judged by the sizes
    # its directory declares and again by what really inflates (a forged size is refused).
    IMPORT_MAX_INFLATED_BYTES = 200 * 1024 * 1024
    IMPORT_MAX_CELL_CHARS = 32_767  # Excel's own limit; a longer cell refuses the file
    IMPORT_MAX_XLS_BYTES = 32 * 1024 * 1024  # legacy .xls is read whole into memory (xlrd)
    # Uploads up to this total size are previewed and imported in the request; larger ones by
    # a background task (the page shows its progress).
    IMPORT_INLINE_MAX_BYTES = 2 * 1024 * 1024
    IMPORT_UPLOAD_FOLDER: str | None = None  # None: instance/imports
    # An import that would close more than this share of the open cases of the cohorts it
    # covers, or accepted no row, must be confirmed with the number of cases it closes (typed on
    # the web, `qa import --confirm-closures N`): a wrong or truncated file closes thousands.
    IMPORT_CLOSURE_CONFIRM_SHARE = 0.10

    # Outgoing email (SMTP). MAIL_SERVER None: emails are recorded but not sent.
    MAIL_SERVER: str | None = None
    MAIL_PORT = 25
    MAIL_USE_TLS = False
    MAIL_USERNAME: str | None = None
    MAIL_PASSWORD: str | None = None
    MAIL_FROM = "casefile-qa@localhost"
    BASE_URL = "http://127.0.0.1:5000"

    # Moderation and escalation: docs/framework.md#moderation and #escalation-and-tier-3.
    MODERATION_RANDOM_SHARE = 0.10  # of audits neither Inadequate nor Outstanding
    MODERATION_DUE_WORKING_DAYS = 10
    MODERATION_DISPUTE_WORKING_DAYS = 5
    TIER3_DUE_WORKING_DAYS = 5
    ESCALATION_TEAM_INADEQUATE_SHARE = 0.25
    ESCALATION_TEAM_MIN_AUDITS = 4
    AGREEMENT_SMALL_N = 10  # fewer pairs than this: figures shown, flagged as unreliable

    REQUIRE_SECRETS = False


class DevelopmentConfig(Config):
    SECRET_KEY = "dev-only-not-secret"  # noqa: S105 - development default, refused in production


class TestingConfig(Config):
    TESTING = True
    SECRET_KEY = "testing-only-not-secret"  # noqa: S105
    DATABASE_URL = "sqlite://"
    REDIS_URL = "fakeredis://"
    RQ_ASYNC = False
    # Jobs run inline in tests: the tests that want the warming switch it on.
    PERFORMANCE_WARM_AFTER_IMPORT = False
    WTF_CSRF_ENABLED = False
    PASSWORD_MIN_LENGTH = 8
    BASE_URL = "http://localhost"


class ProductionConfig(Config):
    SESSION_COOKIE_SECURE = True
    REQUIRE_SECRETS = True


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}
