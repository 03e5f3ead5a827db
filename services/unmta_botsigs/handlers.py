"""Botsigs use cases: load the cluster's bot settings, decide, return events."""

from __future__ import annotations

import uuid

import asyncpg

from unmta_common.commands import Decision
from unmta_common.decisions import Rejected
from unmta_common.envelope import CommandEnvelope
from unmta_common.repository import Repository

from .catalogue import Catalogue
from .domain import BotSettings, default_states
from .messages import CreateCustom, DeleteCustom, ToggleDefault, command_decoder, event_decoder
from .queries import BotsigsQueries


def botsigs_key(cluster_id: str) -> str:
    return f"botsigs-{cluster_id}"


class BotsigsHandlers:
    def __init__(self, schema: str, catalogue: Catalogue) -> None:
        self._repository = Repository(schema, event_decoder, "botsigs")
        self._queries = BotsigsQueries(schema)
        self._defaults = default_states(catalogue)

    async def __call__(self, conn: asyncpg.Connection, command: CommandEnvelope, _prepared: object = None) -> Decision:
        payload = command_decoder.decode(command.payload)
        cluster_id = payload.cluster_id
        key = botsigs_key(cluster_id)
        settings = await self._repository.load(conn, key, BotSettings(cluster_id))
        q = self._queries
        try:
            match payload:
                case ToggleDefault(key=signature, enabled=enabled):
                    events = settings.toggle(self._defaults, signature, enabled)
                    status, body = 200, lambda c: _data(q.default(c, cluster_id, signature))
                case CreateCustom() as p:
                    new_id = str(uuid.uuid4())
                    events = settings.create_custom(new_id, p.type, p.pattern, p.label, p.kind)
                    status, body = 201, lambda c: _data(q.custom(c, cluster_id, new_id))
                case DeleteCustom(id=id_):
                    events, status, body = settings.delete_custom(id_), 204, None
        except Rejected as rejected:
            return Decision(rejected.status, rejected.body())
        return Decision(status, events=self._repository.envelopes(key, settings, cluster_id, events, command),
                        body_from_state=body)


async def _data(view) -> dict:
    return {"data": await view}
