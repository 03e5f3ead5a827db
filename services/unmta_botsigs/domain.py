"""A cluster's bot-signature settings: its toggles of defaults and its custom signatures."""

from __future__ import annotations

from dataclasses import dataclass, field

from unmta_common.decisions import check, not_found

from .catalogue import Catalogue
from .messages import BotsigsEvent, CustomSignatureCreated, CustomSignatureDeleted, DefaultSignatureToggled
from .rules import custom_errors, normalise_pattern


@dataclass
class BotSettings:
    cluster_id: str
    version: int = 0
    toggles: dict[str, bool] = field(default_factory=dict)
    custom: set[str] = field(default_factory=set)

    def apply(self, event: BotsigsEvent) -> None:
        match event:
            case DefaultSignatureToggled(key=key, enabled=enabled):
                self.toggles[key] = enabled
            case CustomSignatureCreated(id=id_):
                self.custom.add(id_)
            case CustomSignatureDeleted(id=id_):
                self.custom.discard(id_)
        self.version += 1

    def toggle(self, catalogue_defaults: dict[str, bool], key: str, enabled: bool) -> list[BotsigsEvent]:
        if key not in catalogue_defaults:
            raise not_found()
        if self.toggles.get(key, catalogue_defaults[key]) == enabled:
            return []
        return [DefaultSignatureToggled(cluster_id=self.cluster_id, key=key, enabled=enabled)]

    def create_custom(self, new_id: str, type_: str, pattern: str, label: str | None,
                      kind: str) -> list[BotsigsEvent]:
        check(custom_errors(type_, pattern, label, kind))
        return [CustomSignatureCreated(cluster_id=self.cluster_id, id=new_id, type=type_,
                                       pattern=normalise_pattern(type_, pattern), label=label, kind=kind)]

    def delete_custom(self, id_: str) -> list[BotsigsEvent]:
        if id_ not in self.custom:
            raise not_found()
        return [CustomSignatureDeleted(cluster_id=self.cluster_id, id=id_)]


def default_states(catalogue: Catalogue) -> dict[str, bool]:
    return {s.key: s.enabled for s in catalogue.signatures}
