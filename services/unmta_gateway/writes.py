"""Turns a validated write into a command, waits for its outcome, answers with it.

`Idempotency-Key`: the same actor and key name the same command id, so retries (even ten at
once) have one effect and replay the first answer; the same key with another request is a 422.
"""

from __future__ import annotations

import hashlib

import msgspec
from aiohttp import web

from unmta_common.envelope import CommandEnvelope, Outcome, encode
from unmta_common.ids import command_id_for, uuid7
from unmta_common.timefmt import utc_now

from .context import GATEWAY
from .http import ValidationFailed, json_response

MAX_KEY_LENGTH = 255


def _idempotency_key(request: web.Request) -> str | None:
    key = request.headers.get("Idempotency-Key")
    if key is None:
        return None
    if not 1 <= len(key) <= MAX_KEY_LENGTH or not key.isprintable():
        raise ValidationFailed({"idempotency_key": [
            f"The Idempotency-Key header must be 1 to {MAX_KEY_LENGTH} printable characters."]})
    return key


async def send_command(
    request: web.Request,
    *,
    service: str,
    actor: str,
    payload: msgspec.Struct,
    cluster_id: str | None,
    request_body: msgspec.Struct | None,
    partition_key: str | None = None,
) -> tuple[Outcome, bool]:
    """Returns the outcome and whether it is a replay of an earlier request.

    The fingerprint covers what the client sent (re-encoded, so whitespace doesn't matter), not the
    command: a command may carry values minted per attempt, such as a new token's digest.
    """
    gateway = request.app[GATEWAY]
    key = _idempotency_key(request)
    body = encode(payload)
    sent = b"" if request_body is None else encode(request_body)
    fingerprint = hashlib.sha256(b"\n".join([request.method.encode(), request.path.lower().encode(), sent])).hexdigest()
    command_id = command_id_for(actor, key) if key else uuid7()
    command = CommandEnvelope(
        command_id=command_id,
        type=type(payload).__struct_config__.tag,
        cluster_id=cluster_id,
        partition_key=partition_key or cluster_id or command_id,
        issued_at=utc_now(),
        correlation_id=request.headers.get("X-Request-Id", command_id)[:128],
        actor=actor,
        fingerprint=fingerprint,
        payload=msgspec.Raw(body),
    )
    schema = gateway.names.schema(service)
    # Only a keyed request can name a command that was already decided; a fresh id cannot.
    known = await gateway.bus.existing_outcome(schema, command_id) if key else None
    replay = known is not None
    outcome = known or await gateway.bus.execute(gateway.names.commands_topic(service), schema, command,
                                                 gateway.config.command_timeout_s)
    if outcome.fingerprint != fingerprint:
        raise ValidationFailed({"idempotency_key": [
            "The Idempotency-Key has already been used with a different request."]})
    return outcome, replay


def respond(outcome: Outcome, replay: bool = False) -> web.Response:
    headers = {"Idempotent-Replayed": "true"} if replay else None
    if outcome.body is None or outcome.status == 204:
        return web.Response(status=outcome.status, headers=headers)
    return web.Response(body=bytes(outcome.body), status=outcome.status, content_type="application/json",
                        headers=headers)


def respond_with_secret(outcome: Outcome, replay: bool, marker_field: str, marker: str, secret_field: str,
                        secret: str) -> web.Response:
    """For writes that mint a secret (a token, a password): shown with the first answer only.

    The outcome carries a marker of the secret this request minted (a digest or hash), which is
    never shown. A replay, or a concurrent duplicate that lost the race, gets the first answer
    without the secret: it was shown once and is stored nowhere.
    """
    if outcome.status >= 300 or outcome.body is None:
        return respond(outcome, replay)
    body = msgspec.json.decode(outcome.body)
    first = body.get("data", {}).pop(marker_field, None) == marker
    if first:
        body[secret_field] = secret
    return json_response(body, outcome.status, None if first else {"Idempotent-Replayed": "true"})
