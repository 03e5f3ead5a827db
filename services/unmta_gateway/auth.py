"""Bearer-token authentication: API tokens for users, one operator token for the admin API."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from aiohttp import web

from .context import GATEWAY
from .http import message


def new_token() -> tuple[str, str]:
    """A 256-bit token and the SHA-256 digest that is all we ever store."""
    token = secrets.token_urlsafe(32)
    return token, token_digest(token)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _bearer(request: web.Request) -> str | None:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    token = token.strip()
    return token if scheme.lower() == "bearer" and token else None


def unauthenticated() -> web.Response:
    return message(401, "Unauthenticated.")


async def authenticated_user(request: web.Request) -> str | None:
    token = _bearer(request)
    if token is None:
        return None
    gateway = request.app[GATEWAY]
    return await gateway.fleet.user_for_token(gateway.pool, token_digest(token))


def is_operator(request: web.Request) -> bool:
    token = _bearer(request)
    expected = request.app[GATEWAY].config.admin_token
    return token is not None and hmac.compare_digest(token.encode(), expected.encode())
