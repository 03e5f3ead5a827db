"""/api/v1/clusters/{cluster}/bot-signatures: default toggles and custom signatures."""

from __future__ import annotations

import uuid

import msgspec
from aiohttp import web

from unmta_botsigs.messages import CreateCustom, DeleteCustom, ToggleDefault
from unmta_botsigs.queries import BotsigsQueries, CustomView, DefaultsPage, DefaultView
from unmta_botsigs.rules import custom_errors
from unmta_botsigs.service import botsigs_schema

from .api_v1 import authorised_cluster
from .context import GATEWAY
from .http import ValidationFailed, body_decoder, decode_body, json_response, not_found
from .routes import Data, Endpoint
from .writes import respond, send_command

MAX_PER_PAGE = 200


class ToggleIn(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    enabled: bool


class CustomCreateIn(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    type: str
    pattern: str
    label: str | None = None
    kind: str = "automation"


_toggle = body_decoder(ToggleIn)
_create = body_decoder(CustomCreateIn)


def _queries(request: web.Request) -> BotsigsQueries:
    return BotsigsQueries(botsigs_schema(request.app[GATEWAY].config.infra.namespace))


def _int_param(request: web.Request, name: str, default: int, low: int, high: int | None) -> int:
    raw = request.query.get(name)
    if raw is None:
        return default
    if not raw.isdigit() or int(raw) < low or (high is not None and int(raw) > high):
        bound = f"between {low} and {high}" if high is not None else f"at least {low}"
        raise ValidationFailed({name: [f"The {name.replace('_', ' ')} must be an integer {bound}."]})
    return int(raw)


def _bool_param(request: web.Request, name: str) -> bool | None:
    raw = request.query.get(name)
    if raw is None or raw == "":
        return None
    if raw.lower() in ("true", "1"):
        return True
    if raw.lower() in ("false", "0"):
        return False
    raise ValidationFailed({name: [f"The {name} field must be true or false."]})


async def list_defaults(request: web.Request) -> web.Response:
    access = await authorised_cluster(request)
    if isinstance(access, web.Response):
        return access
    per_page = _int_param(request, "per_page", 50, 1, MAX_PER_PAGE)
    page = _int_param(request, "page", 1, 1, None)
    enabled = _bool_param(request, "enabled")
    page_of = await _queries(request).defaults(
        request.app[GATEWAY].pool, access[1], source=request.query.get("source") or None,
        q=request.query.get("q") or None, enabled=enabled, page=page, per_page=per_page)
    return json_response(page_of)


async def get_default(request: web.Request) -> web.Response:
    access = await authorised_cluster(request)
    if isinstance(access, web.Response):
        return access
    view = await _queries(request).default(request.app[GATEWAY].pool, access[1], request.match_info["key"])
    return json_response({"data": view}) if view else not_found()


async def toggle_default(request: web.Request) -> web.Response:
    access = await authorised_cluster(request)
    if isinstance(access, web.Response):
        return access
    user_id, cluster_id = access
    body = await decode_body(request, _toggle)
    outcome, replay = await send_command(
        request, service="botsigs", actor=f"user:{user_id}", cluster_id=cluster_id, request_body=body,
        payload=ToggleDefault(cluster_id=cluster_id, key=request.match_info["key"], enabled=body.enabled))
    return respond(outcome, replay)


async def list_custom(request: web.Request) -> web.Response:
    access = await authorised_cluster(request)
    if isinstance(access, web.Response):
        return access
    return json_response({"data": await _queries(request).customs(request.app[GATEWAY].pool, access[1])})


def _custom_id(request: web.Request) -> str | None:
    """A well-formed UUID, or None: a malformed id is a 404, like a missing one."""
    try:
        return str(uuid.UUID(request.match_info["id"]))
    except ValueError:
        return None


async def get_custom(request: web.Request) -> web.Response:
    access = await authorised_cluster(request)
    if isinstance(access, web.Response):
        return access
    id_ = _custom_id(request)
    view = await _queries(request).custom(request.app[GATEWAY].pool, access[1], id_) if id_ else None
    return json_response({"data": view}) if view else not_found()


async def create_custom(request: web.Request) -> web.Response:
    access = await authorised_cluster(request)
    if isinstance(access, web.Response):
        return access
    user_id, cluster_id = access
    body = await decode_body(request, _create)
    errors = custom_errors(body.type, body.pattern, body.label, body.kind)
    if errors:
        raise ValidationFailed(errors)
    outcome, replay = await send_command(
        request, service="botsigs", actor=f"user:{user_id}", cluster_id=cluster_id, request_body=body,
        payload=CreateCustom(cluster_id=cluster_id, type=body.type, pattern=body.pattern, label=body.label,
                             kind=body.kind))
    return respond(outcome, replay)


async def delete_custom(request: web.Request) -> web.Response:
    access = await authorised_cluster(request)
    if isinstance(access, web.Response):
        return access
    user_id, cluster_id = access
    id_ = _custom_id(request)
    if id_ is None:
        return not_found()
    outcome, replay = await send_command(request, service="botsigs", actor=f"user:{user_id}", cluster_id=cluster_id,
                                         request_body=None, payload=DeleteCustom(cluster_id=cluster_id, id=id_))
    return respond(outcome, replay)


_PATH = "/api/v1/clusters/{cluster}/bot-signatures"
_TAG = "Bot Signatures"
ENDPOINTS = [
    Endpoint("GET", _PATH + "/defaults", list_defaults, "List default signatures with this cluster's state", _TAG,
             response=DefaultsPage, errors=(401, 404, 422),
             query={"source": "Filter by source", "q": "Search key, pattern and label",
                    "enabled": "true or false", "per_page": "Page size, 1-200 (default 50)",
                    "page": "Page number (default 1)"}),
    Endpoint("GET", _PATH + "/defaults/{key:.+}", get_default, "Get a default signature", _TAG,
             response=Data[DefaultView], errors=(401, 404)),
    Endpoint("PATCH", _PATH + "/defaults/{key:.+}", toggle_default, "Enable or disable a default for this cluster",
             _TAG, request=ToggleIn, response=Data[DefaultView], errors=(401, 404, 422, 503)),
    Endpoint("GET", _PATH + "/custom", list_custom, "List custom signatures", _TAG,
             response=Data[list[CustomView]], errors=(401, 404)),
    Endpoint("POST", _PATH + "/custom", create_custom, "Create a custom signature", _TAG, request=CustomCreateIn,
             response=Data[CustomView], response_status=201, errors=(401, 404, 422, 503)),
    Endpoint("GET", _PATH + "/custom/{id}", get_custom, "Get a custom signature", _TAG,
             response=Data[CustomView], errors=(401, 404)),
    Endpoint("DELETE", _PATH + "/custom/{id}", delete_custom, "Delete a custom signature", _TAG,
             response_status=204, errors=(401, 404, 503)),
]
