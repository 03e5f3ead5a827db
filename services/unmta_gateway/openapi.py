"""OpenAPI 3.1, generated from the same msgspec types that validate requests and shape answers."""

from __future__ import annotations

import re

import msgspec

from .routes import Endpoint, ErrorBody, ValidationErrorBody

_REF = "#/components/schemas/{name}"
_ERROR_TEXT = {401: "Unauthenticated", 404: "Not Found (also for resources you cannot access)",
               409: "Conflict", 422: "Validation error", 503: "Temporarily unavailable; retry (see Retry-After)"}


def build_spec(endpoints: list[Endpoint], *, title: str, version: str) -> dict:
    types = [ErrorBody, ValidationErrorBody]
    for e in endpoints:
        types += [t for t in (e.request, e.response) if t is not None]
    schemas, components = msgspec.json.schema_components(types, ref_template=_REF)
    by_type = dict(zip(types, schemas))
    paths: dict[str, dict] = {}
    for e in endpoints:
        operation = {
            "summary": e.summary,
            "tags": [e.tag],
            "operationId": _operation_id(e),
            "security": [{e.security: []}],
            "parameters": [
                {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
                for name in re.findall(r"{(\w+)(?::[^}]*)?}", e.path)
            ] + [
                {"name": name, "in": "query", "required": False, "description": text, "schema": {"type": "string"}}
                for name, text in e.query.items()
            ],
            "responses": {},
        }
        if e.method in ("POST", "PUT", "PATCH", "DELETE"):
            operation["parameters"].append({"name": "Idempotency-Key", "in": "header", "required": False,
                                            "schema": {"type": "string", "minLength": 1, "maxLength": 255}})
        if e.request is not None:
            operation["requestBody"] = {"required": True,
                                        "content": {"application/json": {"schema": by_type[e.request]}}}
        ok: dict = {"description": "Success"}
        if e.response is not None:
            ok["content"] = {"application/json": {"schema": by_type[e.response]}}
        operation["responses"][str(e.response_status)] = ok
        for status in e.errors:
            schema = by_type[ValidationErrorBody if status == 422 else ErrorBody]
            operation["responses"][str(status)] = {"description": _ERROR_TEXT.get(status, "Error"),
                                                   "content": {"application/json": {"schema": schema}}}
        paths.setdefault(re.sub(r"{(\w+):[^}]*}", r"{\1}", e.path), {})[e.method.lower()] = operation
    return {
        "openapi": "3.1.0",
        "info": {"title": title, "version": version},
        "servers": [{"url": "/"}],
        "paths": paths,
        "components": {
            "schemas": components,
            "securitySchemes": {
                "apiToken": {"type": "http", "scheme": "bearer", "description": "A user's API token"},
                "operatorToken": {"type": "http", "scheme": "bearer", "description": "UNMTA_ADMIN_TOKEN"},
            },
        },
    }


def _operation_id(endpoint: Endpoint) -> str:
    words = re.sub(r"[{}]", "", endpoint.path).strip("/").replace("/", "_").replace("-", "_")
    return f"{endpoint.method.lower()}_{words}"
