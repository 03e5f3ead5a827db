"""Botsigs commands and events (per cluster: default toggles and custom signatures).

Tagged by "message", not msgspec's default "type": signatures have a field called type.
"""

from __future__ import annotations

import msgspec


class ToggleDefault(msgspec.Struct, frozen=True, kw_only=True, tag=True, tag_field="message"):
    cluster_id: str
    key: str
    enabled: bool


class CreateCustom(msgspec.Struct, frozen=True, kw_only=True, tag=True, tag_field="message"):
    cluster_id: str
    type: str
    pattern: str
    label: str | None = None
    kind: str = "automation"


class DeleteCustom(msgspec.Struct, frozen=True, kw_only=True, tag=True, tag_field="message"):
    cluster_id: str
    id: str


BotsigsCommand = ToggleDefault | CreateCustom | DeleteCustom
command_decoder = msgspec.json.Decoder(BotsigsCommand)


class DefaultSignatureToggled(msgspec.Struct, frozen=True, kw_only=True, tag=True, tag_field="message"):
    cluster_id: str
    key: str
    enabled: bool


class CustomSignatureCreated(msgspec.Struct, frozen=True, kw_only=True, tag=True, tag_field="message"):
    cluster_id: str
    id: str
    type: str
    pattern: str
    label: str | None
    kind: str


class CustomSignatureDeleted(msgspec.Struct, frozen=True, kw_only=True, tag=True, tag_field="message"):
    cluster_id: str
    id: str


BotsigsEvent = DefaultSignatureToggled | CustomSignatureCreated | CustomSignatureDeleted
event_decoder = msgspec.json.Decoder(BotsigsEvent)
