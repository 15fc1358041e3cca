"""Service settings, read from ``CLEARSTONE_*`` environment variables.

Nothing here runs at import time: the CLI and the tests build :class:`Settings` themselves and
pass it to :func:`clearstone_api.app.create_app`.

Example::

    settings = Settings(database_url="postgresql+psycopg://postgres@127.0.0.1:5432/clearstone")
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, StringConstraints, model_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SecretsSettingsSource,
    SettingsConfigDict,
)

__all__ = [
    "DEVELOPMENT_ENVIRONMENTS",
    "PLACEHOLDER_MARKER",
    "SECRETS_DIR_ENV",
    "Environment",
    "Settings",
]

Environment = Literal["development", "test", "production"]
DEVELOPMENT_ENVIRONMENTS = frozenset({"development", "test"})
"""Where a signing key set may be generated on first start instead of configured."""

MiB = 1024 * 1024

SECRETS_DIR_ENV = "CLEARSTONE_SECRETS_DIR"
"""A directory of mounted secret files, one per setting, named like its variable
(``CLEARSTONE_DATABASE_URL``...): Kubernetes mounts a Secret this way, so that credentials are
files rather than environment variables. A variable set in the environment wins over its file.
Not a setting itself: it says where settings are read from."""

PLACEHOLDER_MARKER = "REPLACE-ME"
"""What every placeholder in the deploy templates (``deploy/.env.example``,
``deploy/k8s/secret.template.yaml``) contains; refused outside development and test."""

SYNC_POOL_OVERFLOW = 10
"""SQLAlchemy's default ``max_overflow``, which the synchronous engine keeps."""


class Settings(BaseSettings):
    """Everything the service reads from its environment."""

    model_config = SettingsConfigDict(env_prefix="CLEARSTONE_", extra="ignore")

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Arguments, then the environment, then the files in ``$CLEARSTONE_SECRETS_DIR``
        (read when the settings are built, not when this module is imported)."""
        del file_secret_settings  # model_config's secrets_dir is fixed at import: not used
        directory = os.environ.get(SECRETS_DIR_ENV)
        files = (SecretsSettingsSource(settings_cls, secrets_dir=directory),) if directory else ()
        return (init_settings, env_settings, dotenv_settings, *files)

    environment: Environment = "development"
    data_dir: Path = Path("data")
    """Where the default SQLite database lives, and the generated development key set."""
    database_url: str | None = None
    """SQLAlchemy URL; default ``sqlite:///<data_dir>/clearstone.db``. PostgreSQL through psycopg 3:
    ``postgresql+psycopg://user@host:5432/db``."""
    redis_url: str | None = None
    """Shared rate-limit store for several processes; in-process when unset."""
    redis_key_prefix: Annotated[str, StringConstraints(max_length=64)] = "clearstone:"
    """Prefix of every Redis key the service writes (several deployments may share a Redis)."""
    reference_dir: Path | None = None
    """Reference data directory; the data shipped in the package when unset."""
    pool_size: int = Field(default=10, ge=1, le=200)
    lookup_cache_ttl_seconds: float = Field(default=2.0, ge=0, le=3600)
    """How long a process may serve a certificate from its own cache. Bounds staleness across
    processes; writes in the same process clear it at once."""
    lookup_cache_size: int = Field(default=65536, ge=0)
    public_cache_max_age_seconds: int = Field(default=60, ge=0, le=3600)
    """``Cache-Control: max-age`` of the public certificate and attestation lookups: how long a
    shared cache (the deploy's nginx, a CDN) or a browser may serve one without asking."""
    public_cache_stale_seconds: int = Field(default=30, ge=0, le=3600)
    """``stale-while-revalidate`` of the same: how much longer a cache may serve one while it
    revalidates it in the background. A changed verdict reaches every reader within
    ``public_cache_max_age_seconds`` + this + ``lookup_cache_ttl_seconds`` (docs/operations.md,
    "Caching at the edge"); both 0: ``no-cache``, every use revalidated."""
    hot_reads_asyncpg: bool = True
    """PostgreSQL: serve the certificate lookup through a raw asyncpg pool (one prepared
    statement, one round trip) rather than the SQLAlchemy async engine (see ``db.py``)."""
    reassessment_batch_size: int = Field(default=500, ge=1, le=10000)
    """Stones per re-assessment job: one transaction, one per-stone lock set."""
    jobs_in_process: bool | None = None
    """Run queued jobs in this process (a worker thread) rather than leaving them to
    ``clearstone-api worker`` processes. Default: on for SQLite, off for PostgreSQL."""
    jobs_periodic: bool = True
    """Run the periodic jobs (the re-assessment sweep every ten minutes) in the workers of this
    process. Off only where periodic work would get in the way (the tests)."""
    job_heartbeat_seconds: float = Field(default=10.0, gt=0, le=300)
    """How often a worker records that it is alive."""
    job_stall_seconds: float = Field(default=30.0, gt=0, le=3600)
    """A worker silent for this long is taken for dead: its jobs go back in the queue. Keep it
    a few heartbeats long."""
    event_retention_days: int = Field(default=30, ge=30)
    """How long the change feed keeps events (``clearstone-api purge-events`` deletes older
    ones; an event with a webhook delivery still pending is kept until it settles)."""
    webhooks_allow_private: bool = False
    """Let webhook endpoints be ``http`` URLs and resolve to loopback or private addresses:
    for development and tests only. Off, only ``https`` to public addresses is accepted."""
    webhook_delivery: Literal["queue", "background", "inline", "off"] = "queue"
    """How deliveries run once their event commits: as jobs on the job queue (``queue``), on a
    thread pool of this process (``background``), at once in the committing thread
    (``inline``: tests), or not until ``clearstone-api deliver-webhooks`` sends what is due
    (``off``)."""
    webhook_timeout_seconds: float = Field(default=5.0, gt=0, le=30)
    """The most one delivery attempt may take, connecting included."""
    idempotency_lock_seconds: int = Field(default=60, ge=1)
    """After this long an unfinished idempotent request no longer blocks a retry with its key."""
    opentelemetry: bool = False
    """FastAPI's native OpenTelemetry spans, metrics and logs, for a deployment that configures
    an OpenTelemetry SDK. Off, FastAPI skips the provider lookups it otherwise makes on every
    request; the service's own Prometheus metrics and JSON logs are there either way."""
    access_log: bool = False
    """Log one line per request to ``clearstone.access`` (costs roughly 10% on hot paths)."""
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    """The least severe log records written (JSON lines on standard output)."""

    # Signing keys (docs/security.md, "Signing keys and rotation").
    signing_keys: SecretStr | None = None
    """The ES256 key set as JWK Set JSON (RFC 7517 §5), private keys included."""
    signing_keys_file: Path | None = None
    """A file holding the same JSON. Exactly one of the two outside development and test."""
    signing_key_id: str | None = None
    """The ``kid`` that signs; default: the first key in the set with a private part. The others
    only verify (rotation)."""
    token_issuer: Annotated[str, StringConstraints(min_length=1, max_length=200)] = (
        "https://clearstone.dev"
    )
    """``iss`` of access tokens and attestations: this deployment's public base URL."""
    token_audience: Annotated[str, StringConstraints(min_length=1, max_length=200)] = (
        "https://clearstone.dev/v1"
    )
    """``aud`` of access tokens: the API they are good for."""
    access_token_ttl_seconds: int = Field(default=900, ge=60, le=900)
    """Access-token lifetime; at most 15 minutes."""
    token_cache_size: int = Field(default=10_000, ge=0, le=1_000_000)
    """Verified access tokens a process remembers (by their SHA-256) until they expire, so that
    a reused token is verified once, not on every request; 0 verifies every request in full."""
    jwks_max_age_seconds: int = Field(default=300, ge=0, le=86400)
    """``Cache-Control: max-age`` of ``/.well-known/jwks.json``: how long before a verifier sees
    a newly published key (the rotation wait)."""

    # Client secrets (docs/security.md, "Clients and secrets").
    client_secret_pepper: SecretStr | None = None
    """The server-side key of client-secret hashes: 32 or more random bytes, base64url."""
    client_secret_pepper_file: Path | None = None
    """A file holding the same. Exactly one of the two outside development and test."""
    token_max_concurrent_grants: int = Field(default=8, ge=1, le=256)
    """Token requests one process handles at once; the next gets 503 with ``Retry-After`` at
    once instead of queueing for the shared thread pool."""
    token_failures_per_client: int = Field(default=10, ge=1)
    """Failed secrets one client id may send per rate-limit window before its token requests
    get 429 without being checked, from any address."""

    # Rate limits: requests per window (docs/security.md, "Rate limits").
    rate_limit_enabled: bool = True
    rate_limit_window_seconds: int = Field(default=60, ge=1, le=3600)
    rate_limit_public: int = Field(default=300, ge=1)
    """Per client address, for requests without a valid access token."""
    rate_limit_client: int = Field(default=1200, ge=1)
    """Per client, for requests with a valid access token."""
    rate_limit_token: int = Field(default=30, ge=1)
    """Per client address, for ``POST /v1/oauth/token``."""

    api_docs: bool | None = None
    """Serve ``/docs`` and ``/redoc`` (they load scripts from a CDN). Default: on in development
    and test, off in production; ``/openapi.json`` is always served."""
    cors_allow_origins: list[str] = []
    """Origins whose pages may call the authenticated operations from a browser (JSON list, e.g.
    ``["https://shop.example"]``); none by default. The public reads allow any origin."""

    # Size limits (docs/security.md, "Size limits").
    max_request_body_bytes: int = Field(default=1 * MiB, ge=1024, le=64 * MiB)
    """Larger bodies are refused with 413 before they are parsed."""
    max_header_bytes: int = Field(default=16 * 1024, ge=1024, le=1024 * 1024)
    """Requests whose header lines add up to more are refused with 431."""
    body_read_timeout_seconds: float = Field(default=30.0, gt=0, le=600)
    """A request body must arrive whole within this; a trickled one gets 408."""
    max_custody_chain_length: int = Field(default=200, ge=1, le=1000)
    """Custody events one lot or stone may carry; the next is a 422."""

    @model_validator(mode="after")
    def _default_database_url(self) -> Settings:
        if self.database_url is None:
            self.database_url = f"sqlite:///{self.data_dir / 'clearstone.db'}"
        return self

    @model_validator(mode="after")
    def _signing_keys_configured(self) -> Settings:
        if self.signing_keys is not None and self.signing_keys_file is not None:
            raise ValueError(
                "set CLEARSTONE_SIGNING_KEYS or CLEARSTONE_SIGNING_KEYS_FILE, not both"
            )
        if self.environment not in DEVELOPMENT_ENVIRONMENTS and not (
            self.signing_keys is not None or self.signing_keys_file is not None
        ):
            raise ValueError(
                f"environment {self.environment!r} needs a signing key set: set "
                "CLEARSTONE_SIGNING_KEYS_FILE (or CLEARSTONE_SIGNING_KEYS) to a JWK Set of ES256 "
                "keys; `clearstone-api generate-signing-key` writes one"
            )
        return self

    @model_validator(mode="after")
    def _pepper_configured(self) -> Settings:
        if self.client_secret_pepper is not None and self.client_secret_pepper_file is not None:
            raise ValueError(
                "set CLEARSTONE_CLIENT_SECRET_PEPPER or CLEARSTONE_CLIENT_SECRET_PEPPER_FILE, "
                "not both"
            )
        if self.environment not in DEVELOPMENT_ENVIRONMENTS and (
            self.client_secret_pepper is None and self.client_secret_pepper_file is None
        ):
            raise ValueError(
                f"environment {self.environment!r} needs a client-secret pepper: set "
                "CLEARSTONE_CLIENT_SECRET_PEPPER_FILE to a file of 32 random bytes in base64url; "
                "`clearstone-api generate-pepper` writes one"
            )
        return self

    @model_validator(mode="after")
    def _no_placeholder_secrets(self) -> Settings:
        """A secret still holding a template's placeholder would otherwise surface later as a
        confusing authentication failure (or, for Redis, as a silently per-process budget)."""
        if self.environment in DEVELOPMENT_ENVIRONMENTS:
            return self
        secrets = {
            "CLEARSTONE_DATABASE_URL": self.database_url,
            "CLEARSTONE_REDIS_URL": self.redis_url,
            "CLEARSTONE_SIGNING_KEYS": (
                None if self.signing_keys is None else self.signing_keys.get_secret_value()
            ),
            "CLEARSTONE_CLIENT_SECRET_PEPPER": (
                None
                if self.client_secret_pepper is None
                else self.client_secret_pepper.get_secret_value()
            ),
        }
        placeholders = [
            name
            for name, value in secrets.items()
            if value is not None and PLACEHOLDER_MARKER.lower() in value.lower()
        ]
        if placeholders:
            # Never quote the values: they are secrets (or hold one).
            raise ValueError(
                f"{', '.join(placeholders)} still hold the template placeholder "
                f"{PLACEHOLDER_MARKER}: set real credentials (docs/operations.md, Deploying)"
            )
        return self

    def connection_budget(self) -> int:
        """The most PostgreSQL connections one process can open: the synchronous pool plus its
        overflow, the async engine's pool plus the same again, and the same again for the raw
        asyncpg pool of the hot reads. 0 on SQLite. ``/metrics`` reports the same figure from
        the live pools (``clearstone_db_connection_budget``)."""
        if self.is_sqlite:
            return 0
        hot = 2 * self.pool_size if self.hot_reads_asyncpg else 0
        return (self.pool_size + SYNC_POOL_OVERFLOW) + 2 * self.pool_size + hot

    @property
    def url(self) -> str:
        """The database URL, always set after validation."""
        assert self.database_url is not None
        return self.database_url

    @property
    def serves_api_docs(self) -> bool:
        if self.api_docs is not None:
            return self.api_docs
        return self.environment in DEVELOPMENT_ENVIRONMENTS

    @property
    def is_sqlite(self) -> bool:
        return self.url.startswith("sqlite")

    @property
    def generated_keys_path(self) -> Path:
        """Where development and test keep the key set generated on first start."""
        return self.data_dir / "signing-keys.json"

    @property
    def generated_pepper_path(self) -> Path:
        """Where development and test keep the client-secret pepper generated on first start."""
        return self.data_dir / "client-secret-pepper"
