"""Settings, read from the environment (and a `.env` file when present).

Every variable is listed in the README; names are the field names upper-cased
with the `TRAINFORGE_` prefix, except the conventional `DATABASE_URL`,
`OPENAI_BASE_URL` and `OPENAI_API_KEY`.
"""

from __future__ import annotations

import os
import secrets
from enum import Enum
from functools import lru_cache
from typing import Literal
from pathlib import Path

from pydantic import AliasChoices, Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Environment(str, Enum):
    DEVELOPMENT = "development"
    PRODUCTION = "production"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="TRAINFORGE_", env_file=".env", extra="ignore", populate_by_name=True
    )

    env: Environment = Environment.DEVELOPMENT
    home: Path = Path(".trainforge")
    database_url: str | None = Field(
        default=None, validation_alias=AliasChoices("DATABASE_URL", "TRAINFORGE_DATABASE_URL")
    )
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 1
    log_level: str = "info"
    db_pool_size: int = 10

    # Auth
    secret: str | None = None
    token_ttl_minutes: int = 60 * 24 * 7
    # argon2id cost; the defaults are argon2-cffi's RFC 9106 "low memory" profile.
    argon2_time_cost: int = 3
    argon2_memory_kib: int = 65536

    # LLM program generation (any OpenAI-compatible server: OpenAI, Ollama, vLLM, llama.cpp)
    openai_base_url: str | None = Field(
        default=None, validation_alias=AliasChoices("OPENAI_BASE_URL", "TRAINFORGE_OPENAI_BASE_URL")
    )
    openai_api_key: str | None = Field(
        default=None, validation_alias=AliasChoices("OPENAI_API_KEY", "TRAINFORGE_OPENAI_API_KEY")
    )
    llm_model: str = "gpt-4o-mini"
    llm_timeout_seconds: float = 60.0
    llm_http_retries: int = 2  # the openai client's own retries of failed HTTP calls
    llm_max_attempts: int = 3  # our retries when the output fails validation
    llm_concurrency: int = 4  # model calls in flight at once, per process

    # Reads: table-backed selections compile into one SQL statement that builds the
    # response JSON (off: every field resolves through the per-request loaders).
    compiled_reads: bool = True

    # Live events: auto = Redis when REDIS_URL is set, else PostgreSQL LISTEN/NOTIFY;
    # memory serves one process only.
    broker: Literal["auto", "memory", "postgres", "redis"] = "auto"
    redis_url: str | None = Field(default=None, validation_alias=AliasChoices("REDIS_URL", "TRAINFORGE_REDIS_URL"))

    # Full garbage collections: survivors are frozen, and every n-th starts from all (see gc_policy.py).
    gc_unfreeze_every: int = Field(default=50, ge=1)

    # `serve` runs a background worker (periodic cleanups) in-process.
    background_worker: bool = True

    # Routine assignments without an end date schedule this many weeks of sessions.
    assignment_horizon_weeks: int = 12

    # Fernet keys sealing wearables' OAuth credentials, comma-separated: the first seals, all open (rotation:
    # put a new one first, run `trainforge rotate-token-keys`, then drop the old). Unset: derived from the secret.
    token_keys: str | None = None

    # Banister TRIMP's weighting a x e^(b x HRr) by sex (Banister 1991; Morton et al. 1990).
    trimp_male_a: float = 0.64
    trimp_male_b: float = 1.92
    trimp_female_a: float = 0.86
    trimp_female_b: float = 1.67

    # GraphQL limits (every mode)
    max_page_size: int = 100
    default_page_size: int = 20
    max_query_depth: int = 15
    max_aliases: int = 30
    max_tokens: int = 5000
    parser_cache_size: int = 256
    validation_cache_size: int = 256
    # None means "on in development, off in production"
    graphiql: bool | None = None
    introspection: bool | None = None

    @field_validator("secret")
    @classmethod
    def _long_enough(cls, value: str | None) -> str | None:
        # RFC 7518 §3.2: an HS256 key must be at least 256 bits.
        if value is not None and len(value.encode()) < 32:
            raise ValueError("TRAINFORGE_SECRET must be at least 32 bytes")
        return value

    @property
    def is_production(self) -> bool:
        return self.env is Environment.PRODUCTION

    @property
    def graphiql_enabled(self) -> bool:
        return (not self.is_production) if self.graphiql is None else self.graphiql

    @property
    def introspection_enabled(self) -> bool:
        return (not self.is_production) if self.introspection is None else self.introspection

    @property
    def jwt_secret(self) -> str:
        """TRAINFORGE_SECRET, else a secret generated once and kept under the home folder."""
        if self.secret:
            return self.secret
        return _stored_secret(self.home.resolve())


@lru_cache(maxsize=4)
def _stored_secret(home: Path) -> str:
    path = home / "secret"
    if path.exists():
        return path.read_text().strip()
    home.mkdir(parents=True, exist_ok=True)
    value = secrets.token_urlsafe(48)
    # Write-then-rename so two processes starting together agree on one secret.
    tmp = path.with_suffix(".tmp")
    tmp.write_text(value)
    tmp.chmod(0o600)
    try:
        os.link(tmp, path)
    except FileExistsError:
        pass
    finally:
        tmp.unlink(missing_ok=True)
    return path.read_text().strip()


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
