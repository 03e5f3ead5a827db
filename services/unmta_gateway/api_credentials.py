"""/api/v1/clusters/{cluster}/credentials: SMTP credentials. The password is minted here, shown
once in the create answer, and only its argon2id hash goes further."""

from __future__ import annotations

import asyncio

import msgspec
from aiohttp import web

from unmta_credentials.messages import CreateCredential, DeleteCredential, UpdateCredential
from unmta_credentials.passwords import hash_password, new_password
from unmta_credentials.queries import CredentialCreatedView, CredentialsQueries, CredentialView
from unmta_credentials.rules import Restrictions, restriction_errors, user_errors
from unmta_credentials.service import credentials_schema

from .api_v1 import authorised_cluster
from .context import GATEWAY
from .http import ValidationFailed, body_decoder, decode_body, json_response
from .routes import Data, Endpoint
from .writes import respond, respond_with_secret, send_command

UNSET = msgspec.UNSET


class CredentialCreateIn(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    user: str
    allow_all_domains: bool = False
    domains: list[str] = []
    allow_all_ips: bool = True
    allowed_ips: list[str] = []


class CredentialUpdateIn(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    allow_all_domains: bool | msgspec.UnsetType = UNSET
    domains: list[str] | msgspec.UnsetType = UNSET
    allow_all_ips: bool | msgspec.UnsetType = UNSET
    allowed_ips: list[str] | msgspec.UnsetType = UNSET


_create = body_decoder(CredentialCreateIn)
_update = body_decoder(CredentialUpdateIn)


def _check(errors: dict[str, list[str]]) -> None:
    errors = {k: v for k, v in errors.items() if v}
    if errors:
        raise ValidationFailed(errors)


async def list_credentials(request: web.Request) -> web.Response:
    access = await authorised_cluster(request)
    if isinstance(access, web.Response):
        return access
    queries = CredentialsQueries(credentials_schema(request.app[GATEWAY].config.infra.namespace))
    return json_response({"data": await queries.list(request.app[GATEWAY].pool, access[1])})


async def create_credential(request: web.Request) -> web.Response:
    access = await authorised_cluster(request)
    if isinstance(access, web.Response):
        return access
    user_id, cluster_id = access
    body = await decode_body(request, _create)
    restrictions = Restrictions(allow_all_domains=body.allow_all_domains, domains=body.domains,
                                allow_all_ips=body.allow_all_ips, allowed_ips=body.allowed_ips)
    _check({"user": user_errors(body.user), **restriction_errors(restrictions)})
    password = new_password()
    password_hash = await asyncio.to_thread(hash_password, password)
    outcome, replay = await send_command(
        request, service="credentials", actor=f"user:{user_id}", cluster_id=cluster_id, request_body=body,
        payload=CreateCredential(cluster_id=cluster_id, user=body.user, password_hash=password_hash,
                                 restrictions=restrictions))
    return respond_with_secret(outcome, replay, "password_hash", password_hash, "password", password)


async def update_credential(request: web.Request) -> web.Response:
    access = await authorised_cluster(request)
    if isinstance(access, web.Response):
        return access
    user_id, cluster_id = access
    body = await decode_body(request, _update)
    outcome, replay = await send_command(
        request, service="credentials", actor=f"user:{user_id}", cluster_id=cluster_id, request_body=body,
        payload=UpdateCredential(cluster_id=cluster_id, user=request.match_info["user"],
                                 allow_all_domains=body.allow_all_domains, domains=body.domains,
                                 allow_all_ips=body.allow_all_ips, allowed_ips=body.allowed_ips))
    return respond(outcome, replay)


async def delete_credential(request: web.Request) -> web.Response:
    access = await authorised_cluster(request)
    if isinstance(access, web.Response):
        return access
    user_id, cluster_id = access
    outcome, replay = await send_command(
        request, service="credentials", actor=f"user:{user_id}", cluster_id=cluster_id, request_body=None,
        payload=DeleteCredential(cluster_id=cluster_id, user=request.match_info["user"]))
    return respond(outcome, replay)


_PATH = "/api/v1/clusters/{cluster}/credentials"
ENDPOINTS = [
    Endpoint("GET", _PATH, list_credentials, "List the SMTP credentials of a cluster", "Credentials",
             response=Data[list[CredentialView]], errors=(401, 404)),
    Endpoint("POST", _PATH, create_credential, "Create an SMTP credential; its password is shown once",
             "Credentials", request=CredentialCreateIn, response=CredentialCreatedView, response_status=201,
             errors=(401, 404, 422, 503)),
    Endpoint("PUT", _PATH + "/{user}", update_credential, "Change a credential's domain and IP restrictions",
             "Credentials", request=CredentialUpdateIn, response=Data[CredentialView], errors=(401, 404, 422, 503)),
    Endpoint("DELETE", _PATH + "/{user}", delete_credential, "Delete an SMTP credential", "Credentials",
             response_status=204, errors=(401, 404, 503)),
]
