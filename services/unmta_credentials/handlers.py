"""Credentials use cases: load the (cluster, user) aggregate, decide, return events."""

from __future__ import annotations

import asyncpg
import msgspec

from unmta_common.commands import Decision
from unmta_common.decisions import Rejected
from unmta_common.envelope import CommandEnvelope
from unmta_common.repository import Repository

from .domain import Credential
from .messages import CreateCredential, DeleteCredential, UpdateCredential, command_decoder, event_decoder
from .queries import CredentialsQueries


def credential_key(cluster_id: str, user: str) -> str:
    return f"credential-{cluster_id}-{user}"


class CredentialsHandlers:
    def __init__(self, schema: str) -> None:
        self._repository = Repository(schema, event_decoder, "credential")
        self._queries = CredentialsQueries(schema)

    async def __call__(self, conn: asyncpg.Connection, command: CommandEnvelope, _prepared: object = None) -> Decision:
        payload = command_decoder.decode(command.payload)
        key = credential_key(payload.cluster_id, payload.user)
        credential = await self._repository.load(conn, key, Credential(payload.cluster_id, payload.user))
        try:
            match payload:
                case CreateCredential(password_hash=password_hash, restrictions=restrictions):
                    events, status = credential.create(password_hash, restrictions), 201
                case UpdateCredential():
                    events, status = credential.update(payload), 200
                case DeleteCredential():
                    events, status = credential.delete(), 204
        except Rejected as rejected:
            return Decision(rejected.status, rejected.body())
        decision = Decision(status, events=self._repository.envelopes(key, credential, payload.cluster_id, events,
                                                                       command))
        if status != 204:
            marker = payload.password_hash if status == 201 else None
            decision.body_from_state = lambda c: self._body(c, payload.cluster_id, payload.user, marker)
        return decision

    async def _body(self, conn: asyncpg.Connection, cluster_id: str, user: str, password_hash: str | None) -> dict:
        view = await self._queries.get(conn, cluster_id, user)
        if password_hash is None:
            return {"data": view}
        # The hash lets the gateway tell the first answer (which shows the password) from a replay.
        return {"data": {**msgspec.structs.asdict(view), "password_hash": password_hash}}
