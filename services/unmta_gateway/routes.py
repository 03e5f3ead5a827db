"""A route table that both registers handlers and describes them for OpenAPI."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

import msgspec
from aiohttp import web

T = TypeVar("T")


class Data(msgspec.Struct, Generic[T], frozen=True):
    data: T


class ErrorBody(msgspec.Struct, frozen=True):
    message: str


class ValidationErrorBody(msgspec.Struct, frozen=True):
    message: str
    errors: dict[str, list[str]]


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: str
    handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
    summary: str
    tag: str
    response: object | None = None
    response_status: int = 200
    request: type | None = None
    errors: tuple[int, ...] = (401,)
    query: dict[str, str] = field(default_factory=dict)
    security: str = "apiToken"


def register(app: web.Application, endpoints: list[Endpoint]) -> None:
    for endpoint in endpoints:
        app.router.add_route(endpoint.method, endpoint.path, endpoint.handler)
