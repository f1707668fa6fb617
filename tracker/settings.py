"""Settings read once from the environment, validated, and failing loudly.

Embedded default: no variables at all → a SQLite file and a generated secret key in the
data folder (``TRACKER_DATA_DIR``, default ``./data``). Production (``TRACKER_ENV=production``)
requires ``SECRET_KEY`` and a PostgreSQL ``DATABASE_URL``.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlparse


class SettingsError(ValueError):
    """A setting is missing or malformed; the message says which and how to fix it."""


@dataclass(frozen=True)
class SmtpSettings:
    host: str | None = None
    port: int = 25
    username: str | None = None
    password: str | None = None
    use_tls: bool = False
    sender: str = "tracker@localhost"


@dataclass(frozen=True)
class Settings:
    env: str
    data_dir: Path
    database_url: str
    secret_key: str
    base_url: str
    redis_url: str | None = None
    smtp: SmtpSettings = field(default_factory=SmtpSettings)
    db_pool_min: int = 2
    db_pool_max: int = 10
    password_hash_fast: bool = False  # tests only: cheaper argon2 parameters
    db_app_role: str | None = (
        None  # PostgreSQL: SET ROLE for the app's pool; turns on the tenant wall
    )
    scheduler: bool = True  # the embedded scheduler (only without REDIS_URL)
    scheduler_seconds: int = 60
    session_lifetime_hours: int = 14 * 24  # a session ends this long after log-in
    session_idle_minutes: int = 8 * 60  # or after this long without a request
    trusted_proxies: str = "127.0.0.1"  # whose X-Forwarded-For/-Proto are believed
    upload_quota_mb: int = 100  # per organisation: the files it keeps (imports, attachments)
    # where attachments are kept: None = in the database (chunk rows; works across replicas),
    # a directory = content-addressed files there (a single server with a large disk)
    attachments_dir: Path | None = None
    gc_threshold: int = 20000  # allocations between young-generation collections
    query_header: bool = False  # benchmarks: X-Query-Count on every response
    kept_parts: bool = True  # benchmarks: off renders every part anew (a first visit's cost)

    @property
    def is_production(self) -> bool:
        return self.env == "production"

    @property
    def database_kind(self) -> str:
        return (
            "postgres"
            if self.database_url.startswith(("postgres://", "postgresql://"))
            else "sqlite"
        )

    @property
    def sqlite_path(self) -> Path:
        return Path(self.database_url.removeprefix("sqlite:///"))

    @property
    def secure_cookies(self) -> bool:
        return self.base_url.startswith("https://")


def _int(env: dict[str, str], name: str, default: int, low: int = 0, high: int = 65535) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a whole number, got {raw!r}") from None
    if not low <= value <= high:
        raise SettingsError(f"{name} must be between {low} and {high}, got {value}")
    return value


def _secret_key(env: dict[str, str], production: bool, data_dir: Path) -> str:
    key = env.get("SECRET_KEY", "")
    if key:
        if len(key) < 32:
            raise SettingsError("SECRET_KEY must be at least 32 characters long")
        return key
    if production:
        raise SettingsError(
            "SECRET_KEY is required in production (TRACKER_ENV=production); "
            "generate one with: python -c 'import secrets; print(secrets.token_urlsafe(48))'"
        )
    key_file = data_dir / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    key_file.write_text(key)
    key_file.chmod(0o600)
    return key


def _role(name: str) -> str | None:
    if not name:
        return None
    if not name.replace("_", "").isalnum() or len(name) > 63:
        raise SettingsError(f"DB_APP_ROLE must be a plain role name, got {name!r}")
    return name


def _directory(raw: str) -> Path | None:
    if not raw.strip():
        return None
    path = Path(raw.strip()).expanduser().resolve()
    if path.exists() and not path.is_dir():
        raise SettingsError(f"ATTACHMENTS_DIR must be a directory, got {raw!r}")
    return path


def load_settings(environ: dict[str, str] | None = None) -> Settings:
    env = dict(os.environ if environ is None else environ)
    mode = env.get("TRACKER_ENV", "development")
    if mode not in {"development", "production", "test"}:
        raise SettingsError(f"TRACKER_ENV must be development, production or test, got {mode!r}")
    production = mode == "production"
    data_dir = Path(env.get("TRACKER_DATA_DIR", "data")).resolve()

    database_url = env.get("DATABASE_URL") or f"sqlite:///{data_dir / 'tracker.sqlite3'}"
    scheme = urlparse(database_url).scheme
    if scheme not in {"sqlite", "postgres", "postgresql"}:
        raise SettingsError(
            f"DATABASE_URL must start with sqlite:/// or postgresql://, got {database_url!r}"
        )
    if production and scheme == "sqlite":
        raise SettingsError("DATABASE_URL must be a postgresql:// URL in production")

    redis_url = env.get("REDIS_URL") or None
    if redis_url and urlparse(redis_url).scheme not in {"redis", "rediss"}:
        raise SettingsError(f"REDIS_URL must start with redis:// or rediss://, got {redis_url!r}")

    base_url = env.get("BASE_URL", "http://127.0.0.1:8000").rstrip("/")
    if urlparse(base_url).scheme not in {"http", "https"} or not urlparse(base_url).netloc:
        raise SettingsError(f"BASE_URL must be an http(s) URL, got {base_url!r}")

    smtp = SmtpSettings(
        host=env.get("SMTP_HOST") or None,
        port=_int(env, "SMTP_PORT", 25, 1),
        username=env.get("SMTP_USERNAME") or None,
        password=env.get("SMTP_PASSWORD") or None,
        use_tls=env.get("SMTP_TLS", "").lower() in {"1", "true", "yes"},
        sender=env.get("SMTP_FROM", "tracker@localhost"),
    )
    return Settings(
        env=mode,
        data_dir=data_dir,
        database_url=database_url,
        secret_key=_secret_key(env, production, data_dir),
        base_url=base_url,
        redis_url=redis_url,
        smtp=smtp,
        db_pool_min=_int(env, "DB_POOL_MIN", 2, 1, 1000),
        db_pool_max=_int(env, "DB_POOL_MAX", 10, 1, 1000),
        password_hash_fast=mode == "test",
        db_app_role=_role(env.get("DB_APP_ROLE", "")),
        scheduler=env.get("TRACKER_SCHEDULER", "off" if mode == "test" else "on").lower()
        in {"on", "1", "true", "yes"},
        scheduler_seconds=_int(env, "TRACKER_SCHEDULER_SECONDS", 60, 1, 86400),
        # production defaults meet ASVS 3.3.2 level 2: 12 hours, or 30 minutes idle
        session_lifetime_hours=_int(
            env, "SESSION_LIFETIME_HOURS", 12 if production else 14 * 24, 1, 24 * 366
        ),
        session_idle_minutes=_int(
            env, "SESSION_IDLE_MINUTES", 30 if production else 8 * 60, 5, 60 * 24 * 366
        ),
        trusted_proxies=env.get("TRUSTED_PROXIES", "127.0.0.1").strip(),
        upload_quota_mb=_int(env, "TRACKER_UPLOAD_QUOTA_MB", 100, 1, 1_000_000),
        attachments_dir=_directory(env.get("ATTACHMENTS_DIR", "")),
        gc_threshold=_int(env, "TRACKER_GC_THRESHOLD", 20000, 700, 10_000_000),
        query_header=env.get("TRACKER_QUERY_HEADER") == "1",
        kept_parts=env.get("TRACKER_KEPT_PARTS", "on") != "off",
    )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return load_settings()
