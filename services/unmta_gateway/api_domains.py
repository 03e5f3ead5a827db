"""/api/v1/clusters/{cluster}/domains: sending domains and their DKIM records."""

from __future__ import annotations

import msgspec
from aiohttp import web

from unmta_domains.messages import CreateDomain, DeleteDomain, VerifyDomain
from unmta_domains.names import domain_name_errors, normalise
from unmta_domains.queries import DomainDetailView, DomainsQueries, DomainVerification, DomainView
from unmta_domains.service import domains_schema

from .api_v1 import authorised_cluster
from .context import GATEWAY
from .http import ValidationFailed, body_decoder, decode_body, json_response, not_found
from .routes import Data, Endpoint
from .writes import respond, send_command


class DomainCreateIn(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    name: str


_create = body_decoder(DomainCreateIn)


def _queries(request: web.Request) -> DomainsQueries:
    return DomainsQueries(domains_schema(request.app[GATEWAY].config.infra.namespace))


def _domain(request: web.Request) -> str:
    return normalise(request.match_info["domain"])


async def list_domains(request: web.Request) -> web.Response:
    access = await authorised_cluster(request)
    if isinstance(access, web.Response):
        return access
    return json_response({"data": await _queries(request).list(request.app[GATEWAY].pool, access[1])})


async def get_domain(request: web.Request) -> web.Response:
    access = await authorised_cluster(request)
    if isinstance(access, web.Response):
        return access
    view = await _queries(request).get(request.app[GATEWAY].pool, access[1], _domain(request))
    return json_response({"data": view}) if view else not_found()


async def create_domain(request: web.Request) -> web.Response:
    access = await authorised_cluster(request)
    if isinstance(access, web.Response):
        return access
    user_id, cluster_id = access
    body = await decode_body(request, _create)
    name = normalise(body.name)
    errors = domain_name_errors(name)
    if errors:
        raise ValidationFailed({"name": errors})
    outcome, replay = await send_command(request, service="domains", actor=f"user:{user_id}", cluster_id=cluster_id,
                                         request_body=body, payload=CreateDomain(cluster_id=cluster_id, name=name))
    return respond(outcome, replay)


async def _on_domain(request: web.Request, command: type[DeleteDomain] | type[VerifyDomain]) -> web.Response:
    """A bodiless write to one domain: delete it, or check its DNS now."""
    access = await authorised_cluster(request)
    if isinstance(access, web.Response):
        return access
    user_id, cluster_id = access
    outcome, replay = await send_command(request, service="domains", actor=f"user:{user_id}", cluster_id=cluster_id,
                                         request_body=None,
                                         payload=command(cluster_id=cluster_id, name=_domain(request)))
    return respond(outcome, replay)


async def delete_domain(request: web.Request) -> web.Response:
    return await _on_domain(request, DeleteDomain)


async def verify_domain(request: web.Request) -> web.Response:
    return await _on_domain(request, VerifyDomain)


_PATH = "/api/v1/clusters/{cluster}/domains"
ENDPOINTS = [
    Endpoint("GET", _PATH, list_domains, "List the domains of a cluster", "Domains",
             response=Data[list[DomainView]], errors=(401, 404)),
    Endpoint("POST", _PATH, create_domain, "Add a domain and generate its DKIM key", "Domains",
             request=DomainCreateIn, response=Data[DomainDetailView], response_status=201,
             errors=(401, 404, 422, 503)),
    Endpoint("GET", _PATH + "/{domain}", get_domain, "Get a domain with its DNS records", "Domains",
             response=Data[DomainDetailView], errors=(401, 404)),
    Endpoint("DELETE", _PATH + "/{domain}", delete_domain, "Delete a domain (its DKIM key is destroyed)", "Domains",
             response_status=204, errors=(401, 404, 503)),
    Endpoint("POST", _PATH + "/{domain}/verify", verify_domain, "Check the domain's DKIM record now", "Domains",
             response=DomainVerification, errors=(401, 404, 503)),
]
