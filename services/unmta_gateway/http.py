"""HTTP plumbing: JSON errors for everything (never an HTML page or a stack trace), and request
bodies decoded with msgspec into contract-shaped 422s."""

from __future__ import annotations

import logging
import re
from typing import Any, TypeVar

import asyncpg
import msgspec
from aiohttp import web

from unmta_common.errors import InfrastructureUnavailable, OutcomeTimeout
from unmta_common.pg import RETRIABLE

log = logging.getLogger(__name__)

T = TypeVar("T")

_encoder = msgspec.json.Encoder()
RETRY_AFTER_S = "2"


class ValidationFailed(Exception):
    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__("validation failed")
        self.errors = errors


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    return web.Response(body=_encoder.encode(body), status=status, content_type="application/json",
                        headers=headers)


def message(status: int, text: str, headers: dict[str, str] | None = None) -> web.Response:
    return json_response({"message": text}, status, headers)


def not_found() -> web.Response:
    return message(404, "Not Found")


def unprocessable(errors: dict[str, list[str]]) -> web.Response:
    errors = {field: msgs for field, msgs in errors.items() if msgs}
    return json_response({"message": next(iter(errors.values()))[0], "errors": errors}, 422)


def unavailable() -> web.Response:
    return message(503, "Service temporarily unavailable. Retry shortly; reuse the same Idempotency-Key.",
                   {"Retry-After": RETRY_AFTER_S})


_REASONS = {404: "Not Found", 405: "Method Not Allowed", 413: "Payload Too Large", 415: "Unsupported Media Type"}


@web.middleware
async def json_errors(request: web.Request, handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except ValidationFailed as exc:
        return unprocessable(exc.errors)
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        headers = {k: v for k, v in exc.headers.items() if k.lower() in ("allow", "retry-after")}
        return message(exc.status, _REASONS.get(exc.status, exc.reason), headers)
    # UndefinedTable: the owning service has not started yet (it creates its own tables).
    except (InfrastructureUnavailable, OutcomeTimeout, asyncpg.TooManyConnectionsError, asyncpg.UndefinedTableError,
            *RETRIABLE) as exc:
        log.warning("answering 503: %s", exc, extra={"path": request.path})
        return unavailable()
    except Exception:
        log.exception("unhandled error", extra={"path": request.path, "method": request.method})
        return message(500, "Server Error")


_PATH = re.compile(r"`\$((?:\.[A-Za-z0-9_]+|\[\d+\])*)`")
_MISSING = re.compile(r"Object missing required field `([^`]+)`")
_UNKNOWN = re.compile(r"Object contains unknown field `([^`]+)`")
_EXPECTED = re.compile(r"Expected `([^`]+)`")
_KINDS = {"str": "a string", "int": "an integer", "bool": "true or false", "array": "an array",
          "object": "an object", "float": "a number"}


def _field_path(error_text: str) -> str:
    match = _PATH.search(error_text)
    if not match:
        return ""
    return re.sub(r"\[(\d+)\]", r".\1", match.group(1)).lstrip(".")


def translate(error: msgspec.ValidationError) -> dict[str, list[str]]:
    """msgspec's first error, in the contract's words, keyed by dotted field path."""
    text = str(error)
    base = _field_path(text)
    if m := _MISSING.search(text):
        field = f"{base}.{m.group(1)}" if base else m.group(1)
        return {field: [f"The {_label(field)} field is required."]}
    if m := _UNKNOWN.search(text):
        field = f"{base}.{m.group(1)}" if base else m.group(1)
        return {field: [f"The {_label(field)} field is not allowed."]}
    if not base:
        return {"body": ["The request body must be a JSON object."]}
    if m := _EXPECTED.search(text):
        kind = m.group(1).split(" | ")[0]
        if kind in _KINDS:
            return {base: [f"The {_label(base)} field must be {_KINDS[kind]}."]}
    return {base: [f"The {_label(base)} field is invalid."]}


def _label(field: str) -> str:
    return field.replace("_", " ")


async def decode_body(request: web.Request, decoder: msgspec.json.Decoder) -> Any:
    raw = await request.read()
    if not raw.strip():
        raw = b"{}"
    try:
        return decoder.decode(raw)
    except msgspec.ValidationError as exc:
        raise ValidationFailed(translate(exc)) from None
    except msgspec.DecodeError:
        raise web.HTTPBadRequest(reason="The request body is not valid JSON.") from None


def body_decoder(type_: type[T]) -> msgspec.json.Decoder:
    return msgspec.json.Decoder(type_)
