"""Configuration, read from the environment.

Development reads a generated secret key from ``instance/secret_key``, which ``make setup``
creates (``make secret-key``); building the app never writes it. Production refuses
to start without ``SECRET_KEY``. Nothing here touches a database or the network.
"""

import os
import secrets
from pathlib import Path
from urllib.parse import urlsplit

INSTANCE_DIR = Path(os.environ.get("CONSULT_INSTANCE", Path(__file__).resolve().parent.parent / "instance"))


def instance_dir() -> Path:
    """The instance folder (``CONSULT_INSTANCE``, default ``instance/``): secret key, SQLite database, photos."""
    return Path(os.environ.get("CONSULT_INSTANCE", INSTANCE_DIR))


def dev_secret_key_path() -> Path:
    """Where development keeps its secret key (``CONSULT_INSTANCE``, default ``instance/``)."""
    return instance_dir() / "secret_key"


def write_dev_secret_key() -> Path:
    """Create the development secret key once (readable by its owner only); run by ``make setup``."""
    path = dev_secret_key_path()
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_hex(32))
    return path


def _dev_secret_key() -> str:
    """Read the development secret key; never creates it (building the app does no I/O but this read)."""
    path = dev_secret_key_path()
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        raise RuntimeError(
            f"No secret key at {path}. Run `make setup` (or `make secret-key`) to create one, or set SECRET_KEY."
        ) from None


def _list(name: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, "").split(",") if item.strip()]


def _bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


class Config:
    """Settings shared by every environment."""

    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'consult.db'}")
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    #: SQLite only: seconds a write waits for the database's single write lock, then 503.
    SQLITE_BUSY_TIMEOUT = float(os.environ.get("SQLITE_BUSY_TIMEOUT", "10"))
    #: Seconds a "busy, try again" (503) page asks the browser to wait (Retry-After).
    RETRY_AFTER_SECONDS = 5
    REDIS_URL = os.environ.get("REDIS_URL") or None
    #: Background jobs (consult/core/jobs.py, docs/operations.md): with REDIS_URL they go on this RQ
    #: queue, run by `flask jobs worker`; without it they run inline after the enqueuing commit.
    JOBS_QUEUE = os.environ.get("JOBS_QUEUE", "consult")
    #: A failing job is tried again this many times, waiting these seconds before each try, then
    #: kept as failed (site admins see it at /manage/site/jobs).
    JOBS_RETRIES = 3
    JOBS_RETRY_INTERVALS = [10, 60, 300]
    #: Seconds a job may run before the worker stops it (a street's evaluation, a large export).
    JOBS_TIMEOUT = 600
    #: Public pages for anonymous visitors cached in Redis (consult/core/cache.py, docs/operations.md):
    #: CACHE_REDIS_URL, else REDIS_URL; entries live CACHE_TTL seconds at most (less up to a page's next
    #: time-driven change); CACHE_ENABLED=0 turns the cache off with Redis set.
    CACHE_REDIS_URL = os.environ.get("CACHE_REDIS_URL") or None
    CACHE_ENABLED = _bool("CACHE_ENABLED", True)
    CACHE_KEY_PREFIX = os.environ.get("CACHE_KEY_PREFIX", "consult:cache:")
    CACHE_TTL = int(os.environ.get("CACHE_TTL", "600"))
    #: Seconds Redis may take to answer before the page is read from the database instead.
    CACHE_REDIS_TIMEOUT = 0.5
    #: With Redis away: one warning per CACHE_WARN_SECONDS; asked again after CACHE_RETRY_SECONDS.
    CACHE_WARN_SECONDS = 60
    CACHE_RETRY_SECONDS = 5
    #: Where request photos are kept: a folder (default: photos/ in the instance folder) or
    #: s3://bucket/prefix for an S3-compatible store (S3_ENDPOINT_URL, and boto3's AWS_* variables).
    PHOTO_STORE = os.environ.get("PHOTO_STORE", "")
    #: The largest request body: three 5 MB photos and the form (larger gives 413 with a message).
    MAX_CONTENT_LENGTH = 16 * 1024 * 1024
    S3_ENDPOINT_URL = os.environ.get("S3_ENDPOINT_URL") or None
    SITE_TIMEZONE = os.environ.get("SITE_TIMEZONE", "Asia/Shanghai")
    BABEL_DEFAULT_LOCALE = "zh_CN"
    BABEL_TRANSLATION_DIRECTORIES = str(Path(__file__).resolve().parent / "translations")
    LANGUAGES = ("zh_CN", "en")
    #: Number of proxies in front of the app whose X-Forwarded-* headers are trusted.
    PROXY_FIX_X_FOR = int(os.environ.get("PROXY_FIX_X_FOR", "0"))
    PROXY_FIX_X_PROTO = int(os.environ.get("PROXY_FIX_X_PROTO", "0"))
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SAMESITE = "Lax"
    WTF_CSRF_TIME_LIMIT = 8 * 3600
    RATELIMIT_HEADERS_ENABLED = True
    RATELIMIT_KEY_PREFIX = os.environ.get("RATELIMIT_KEY_PREFIX", "consult")
    #: Redis away: limits are counted in each process's memory (and Redis tried again), never a 500.
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    #: Log-in attempts allowed per username, then per address (a meeting room shares one).
    LOGIN_LIMIT_USERNAME = "5 per 15 minutes"
    LOGIN_LIMIT_ADDRESS = "60 per 15 minutes"
    #: Accounts registered per address (a shared network: workers can also record residents).
    REGISTER_LIMIT_ADDRESS = os.environ.get("REGISTER_LIMIT_ADDRESS", "10 per hour")
    RESET_CODE_HOURS = 24
    #: A session without "keep me logged in" ends after this many hours without a request.
    SESSION_IDLE_HOURS = 12
    #: "Keep me logged in" lasts this many days from the log-in.
    REMEMBER_DAYS = 30
    #: Kiosk mode (docs/kiosk.md): seconds without a request before a kiosk logs its person out, and
    #: PIN (or card) tries allowed per username and per terminal.
    KIOSK_IDLE_SECONDS = int(os.environ.get("KIOSK_IDLE_SECONDS", "60"))
    KIOSK_PIN_LIMIT_USERNAME = "10 per 15 minutes"
    KIOSK_PIN_LIMIT_KIOSK = "30 per 15 minutes"
    TESTING_CLOCK = False
    SECRET_KEY: str | None = None
    #: True only in ProductionConfig: `flask demo` refuses to run there unless forced.
    PRODUCTION = False
    #: The site's own address (scheme and host, e.g. https://yishi.example.cn): every absolute
    #: link (QR codes, verify links, the kiosk) is built from it, never from the Host header.
    SITE_URL: str | None = None
    #: Host names the site answers to; others get 400. None accepts any (development).
    TRUSTED_HOSTS: list[str] | None = None
    #: Strict-Transport-Security max-age in seconds; 0 sends no HSTS header.
    HSTS_SECONDS = 0

    def __init__(self) -> None:
        self.SECRET_KEY = os.environ.get("SECRET_KEY") or self.SECRET_KEY
        self.RATELIMIT_STORAGE_URI = self.REDIS_URL or "memory://"
        self.SITE_URL = (os.environ.get("SITE_URL") or "").strip().rstrip("/") or self.SITE_URL
        self.TRUSTED_HOSTS = _list("TRUSTED_HOSTS") or self.TRUSTED_HOSTS


class DevelopmentConfig(Config):
    """Local development: the secret key kept under instance/ (created by ``make setup``)."""

    def __init__(self) -> None:
        super().__init__()
        if not self.SECRET_KEY:
            self.SECRET_KEY = _dev_secret_key()


class TestingConfig(Config):
    """Tests: CSRF stays on (tests send tokens), the clock can be set by the live server."""

    TESTING = True
    SECRET_KEY = "testing-secret-key"
    TESTING_CLOCK = True
    SQLALCHEMY_DATABASE_URI = "sqlite://"

    def __init__(self) -> None:
        super().__init__()
        self.SECRET_KEY = "testing-secret-key"
        self.RATELIMIT_STORAGE_URI = "memory://"


class ProductionConfig(Config):
    """Production: refuses to start without a secret key or the site's address; answers only its hosts."""

    PRODUCTION = True

    SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", True)
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE

    def __init__(self) -> None:
        super().__init__()
        if not self.SECRET_KEY:
            raise RuntimeError("SECRET_KEY must be set in production")
        if not self.SITE_URL or urlsplit(self.SITE_URL).scheme not in {"http", "https"} or not urlsplit(self.SITE_URL).hostname:
            raise RuntimeError("SITE_URL must be set in production, e.g. https://yishi.example.cn")
        # The site's own host always; TRUSTED_HOSTS adds others (a health check's internal name).
        self.TRUSTED_HOSTS = sorted({urlsplit(self.SITE_URL).hostname, *(self.TRUSTED_HOSTS or [])})
        self.HSTS_SECONDS = int(os.environ.get("HSTS_SECONDS", 365 * 24 * 3600 if self.SITE_URL.startswith("https:") else 0))


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def load_config(name: str | None = None) -> Config:
    """Build the configuration named by ``name`` or ``CONSULT_ENV`` (default development)."""
    name = name or os.environ.get("CONSULT_ENV", "development")
    try:
        return CONFIGS[name]()
    except KeyError:
        raise RuntimeError(f"unknown CONSULT_ENV {name!r}") from None
