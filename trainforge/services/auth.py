"""Passwords (argon2id) and bearer tokens (HS256 JWT)."""

from __future__ import annotations

import asyncio
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from trainforge.config import Settings
from trainforge.models.accounts import Role
from trainforge.services.errors import Unauthenticated

ISSUER = "trainforge"
ALGORITHM = "HS256"


@dataclass(frozen=True, slots=True)
class Viewer:
    """Who is asking: the authenticated user behind a request or connection."""

    id: uuid.UUID
    role: Role

    @property
    def is_coach(self) -> bool:
        return self.role is Role.COACH


@lru_cache(maxsize=4)
def _hasher(time_cost: int, memory_kib: int) -> PasswordHasher:
    return PasswordHasher(time_cost=time_cost, memory_cost=memory_kib)


def _settings_hasher(settings: Settings) -> PasswordHasher:
    return _hasher(settings.argon2_time_cost, settings.argon2_memory_kib)


async def hash_password(settings: Settings, password: str) -> str:
    # argon2 is deliberately slow: keep it off the event loop.
    return await asyncio.to_thread(_settings_hasher(settings).hash, password)


async def verify_password(settings: Settings, password_hash: str, password: str) -> bool:
    def verify() -> bool:
        try:
            return _settings_hasher(settings).verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            return False

    return await asyncio.to_thread(verify)


# A real hash to verify against when the email is unknown, so a login attempt
# takes the same time whether or not the account exists.
async def dummy_verify(settings: Settings, password: str) -> None:
    await verify_password(settings, _dummy_hash(settings.argon2_time_cost, settings.argon2_memory_kib), password)


@lru_cache(maxsize=4)
def _dummy_hash(time_cost: int, memory_kib: int) -> str:
    return _hasher(time_cost, memory_kib).hash("not-a-real-password")


def issue_token(settings: Settings, viewer: Viewer, ttl: timedelta | None = None) -> str:
    now = datetime.now(UTC)
    claims = {
        "iss": ISSUER,
        "sub": str(viewer.id),
        "role": viewer.role.value,
        "iat": now,
        "exp": now + (ttl if ttl is not None else timedelta(minutes=settings.token_ttl_minutes)),
    }
    return jwt.encode(claims, settings.jwt_secret, algorithm=ALGORITHM)


def verify_token(settings: Settings, token: str) -> Viewer:
    """The viewer a token names, or `Unauthenticated` when it is expired, forged or malformed."""
    try:
        viewer, expires = _verified(settings.jwt_secret, token)
    except jwt.ExpiredSignatureError as exc:
        raise Unauthenticated("token expired") from exc
    except (jwt.InvalidTokenError, KeyError, ValueError) as exc:
        raise Unauthenticated("invalid token") from exc
    # A cached token meets the clock on every use (valid while now < exp, as PyJWT has it).
    if time.time() >= expires:
        raise Unauthenticated("token expired")
    return viewer


# Decoding a JWT (base64, JSON, HMAC, claim checks) is a sizeable part of a small
# request, and clients send the same token again and again. Only tokens that
# verified are cached (lru_cache keeps no exceptions); the secret is part of the
# key, so a token is never accepted under a secret that did not sign it.
@lru_cache(maxsize=1024)
def _verified(secret: str, token: str) -> tuple[Viewer, int]:
    claims = jwt.decode(
        token,
        secret,
        algorithms=[ALGORITHM],
        issuer=ISSUER,
        options={"require": ["exp", "iat", "sub", "iss"]},
    )
    return Viewer(id=uuid.UUID(claims["sub"]), role=Role(claims["role"])), int(claims["exp"])


def bearer_token(header: str | None) -> str | None:
    """The token of an `Authorization: Bearer <token>` header value, if any."""
    if not header:
        return None
    scheme, _, token = header.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated("Authorization header must be 'Bearer <token>'")
    return token.strip()
