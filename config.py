"""Settings for each environment, read from the process environment."""

import os
from datetime import timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSECURE_KEYS = {"", "dev", "change-me", "dev-insecure-key", "dev-insecure-audit-key"}


def _bool(name, default):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _int(name, default):
    return int(os.environ.get(name, default))


class Config:
    """Settings shared by every environment."""

    SECRET_KEY = os.environ.get("SECRET_KEY", "dev-insecure-key")
    # The audit chain's HMAC key: kept outside the database (see README, "Audit key").
    AUDIT_HMAC_KEY = os.environ.get("AUDIT_HMAC_KEY", "dev-insecure-audit-key")
    # Append-only file the audit chain's head is anchored in (daily, on demand, each backup).
    AUDIT_ANCHOR_FILE = os.environ.get(
        "AUDIT_ANCHOR_FILE", str(BASE_DIR / "instance" / "audit-anchors.jsonl"))
    SQLALCHEMY_DATABASE_URI = os.environ.get(
        "DATABASE_URL", f"sqlite:///{BASE_DIR / 'instance' / 'app.db'}"
    )
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    UPLOAD_FOLDER = os.environ.get("UPLOAD_FOLDER", str(BASE_DIR / "instance" / "uploads"))
    MAX_CONTENT_LENGTH = _int("MAX_CONTENT_LENGTH", 45 * 1024 * 1024)
    # Stored files: UPLOAD_FOLDER unless STORAGE_URL=s3://bucket/prefix names a bucket.
    STORAGE_URL = os.environ.get("STORAGE_URL", "")
    S3_ENDPOINT_URL = os.environ.get("S3_ENDPOINT_URL", "")
    S3_REGION = os.environ.get("S3_REGION", "")
    S3_ACCESS_KEY_ID = os.environ.get("S3_ACCESS_KEY_ID", "")
    S3_SECRET_ACCESS_KEY = os.environ.get("S3_SECRET_ACCESS_KEY", "")
    S3_ADDRESSING_STYLE = os.environ.get("S3_ADDRESSING_STYLE", "")
    # /healthz calls the job consumer down when its heartbeat is older than this.
    JOBS_HEARTBEAT_MAX_AGE = _int("JOBS_HEARTBEAT_MAX_AGE", 180)

    # Sessions: cookie flags, idle timeout (Flask refuses a cookie older than this).
    SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", True)
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    PERMANENT_SESSION_LIFETIME = timedelta(minutes=_int("IDLE_TIMEOUT_MINUTES", 30))
    SESSION_REFRESH_EACH_REQUEST = True
    SESSION_ABSOLUTE_HOURS = _int("SESSION_ABSOLUTE_HOURS", 12)  # however busy the session
    REMEMBER_COOKIE_DURATION = timedelta(seconds=0)
    WTF_CSRF_TIME_LIMIT = None  # the session lifetime already bounds the token
    PREFERRED_URL_SCHEME = os.environ.get("PREFERRED_URL_SCHEME", "https")
    # Where people reach the app: links in e-mails sent outside a request (daily alerts, jobs).
    PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "http://127.0.0.1:8000")

    # Accounts.
    ARGON2_PROFILE = os.environ.get("ARGON2_PROFILE", "owasp")
    LOGIN_MAX_FAILURES = _int("LOGIN_MAX_FAILURES", 5)
    LOGIN_LOCK_MINUTES = _int("LOGIN_LOCK_MINUTES", 15)
    SIGN_MAX_FAILURES = _int("SIGN_MAX_FAILURES", 3)
    SIGN_LOCK_MINUTES = _int("SIGN_LOCK_MINUTES", 15)
    INVITATION_DAYS = _int("INVITATION_DAYS", 7)

    # Languages and formatting.
    LANGUAGES = ("es", "en")
    BABEL_DEFAULT_LOCALE = "es"
    BABEL_DEFAULT_TIMEZONE = os.environ.get("DISPLAY_TIMEZONE", "Europe/Madrid")
    # Logger readings without a zone are taken in this zone unless the uploader changes it.
    LOGGER_TIMEZONE = os.environ.get("LOGGER_TIMEZONE", "Europe/Madrid")

    # Mail: an outbox table always; SMTP delivery only when a host is set.
    MAIL_SERVER = os.environ.get("MAIL_SERVER", "")
    MAIL_PORT = _int("MAIL_PORT", 587)
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME", "")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD", "")
    MAIL_USE_TLS = _bool("MAIL_USE_TLS", True)
    MAIL_FROM = os.environ.get("MAIL_FROM", "no-reply@ensayo-logistica.example")

    # The company shown on letterheads and labels.
    COMPANY_NAME = os.environ.get("COMPANY_NAME", "Ensayo Logística Clínica S.L.")
    COMPANY_ADDRESS = os.environ.get(
        "COMPANY_ADDRESS", "Calle de la Ciencia 12, 28760 Tres Cantos, Madrid, España"
    )
    COMPANY_PHONE = os.environ.get("COMPANY_PHONE", "+34 910 000 000")

    # Patient reimbursement: the key bank details are encrypted with (HKDF-derived; falls
    # back to SECRET_KEY) and the account SEPA transfers are paid from.
    BANK_DATA_KEY = os.environ.get("BANK_DATA_KEY", "")
    SEPA_DEBTOR_NAME = os.environ.get("SEPA_DEBTOR_NAME", "")
    SEPA_DEBTOR_IBAN = os.environ.get("SEPA_DEBTOR_IBAN", "ES9121000418450200051332")
    SEPA_DEBTOR_BIC = os.environ.get("SEPA_DEBTOR_BIC", "CAIXESBBXXX")
    # ISBT 128 facility identification number of the Chain of Identity (A9998: the example one).
    CELL_COI_FACILITY = os.environ.get("CELL_COI_FACILITY", "A9998")
    # Ordering party identification (GrpHdr/InitgPty/Id): the company's NIF plus the
    # three-character suffix agreed with the bank (Spanish banks' pain.001 customer guide).
    SEPA_INITIATOR_ID = os.environ.get("SEPA_INITIATOR_ID", "B12345674000")

    PAGE_SIZE = 25
    DEMO_ALLOWED = True

    # Background jobs: exports above this many rows run as a job; their files are kept this
    # many days. The queue itself (REDIS_URL or JOBS_QUEUE_FILE) is read by app/jobs/queue.py.
    EXPORT_JOB_THRESHOLD_ROWS = _int("EXPORT_JOB_THRESHOLD_ROWS", 5000)
    JOB_FILE_DAYS = _int("JOB_FILE_DAYS", 7)
    JOB_STALE_MINUTES = _int("JOB_STALE_MINUTES", 60)
    # Blinding: which randomisation lists this installation uses (production, testing or
    # training: never mixed) and who hears of a code break besides the site's monitors.
    RANDOMISATION_ENVIRONMENT = os.environ.get("RANDOMISATION_ENVIRONMENT", "production")
    CODE_BREAK_SPONSOR_EMAILS = tuple(
        a.strip() for a in os.environ.get("CODE_BREAK_SPONSOR_EMAILS", "").split(",")
        if a.strip())


class DevelopmentConfig(Config):
    """Local use: plain http on 127.0.0.1."""

    SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", False)
    PREFERRED_URL_SCHEME = "http"


class TestingConfig(Config):
    """The test suite: cheap hashing, a separate database."""

    TESTING = True
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL") or os.environ.get(
        "DATABASE_URL", "sqlite:///" + str(BASE_DIR / "instance" / "test.db")
    )
    ARGON2_PROFILE = "test"
    AUDIT_HMAC_KEY = "test-audit-key-" + "x" * 20
    SESSION_COOKIE_SECURE = False
    PREFERRED_URL_SCHEME = "http"
    SERVER_NAME = None


class ProductionConfig(Config):
    """Real deployments: a real SECRET_KEY and PostgreSQL."""

    DEMO_ALLOWED = False
    AUDIT_HMAC_KEY = os.environ.get("AUDIT_HMAC_KEY", "")


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}
