"""The MTA side of bot signatures: matchers built from the installed snapshot and its artifact."""

from __future__ import annotations

import json
from pathlib import Path

from unmta_botsigs.matcher import Match, Matcher, Signature, classify, compile_artifact

from .agent import ARTIFACTS_DIR, SNAPSHOT_FILE


class BotClassifier:
    """Custom signatures first, then the enabled defaults; see unmta_botsigs.matcher for the rules."""

    def __init__(self, snapshot: dict, directory: Path) -> None:
        bots = snapshot["bot_signatures"]
        custom = [Signature(ref=c["id"], type=c["type"], pattern=c["pattern"], source="custom", kind=c["kind"])
                  for c in bots["custom"]]
        artifact = (directory / ARTIFACTS_DIR / f"{bots['defaults']['sha256']}.json").read_bytes()
        self.defaults_sha256 = bots["defaults"]["sha256"]
        self._matchers = (Matcher(compile_artifact(custom)), Matcher.load(artifact))

    @classmethod
    def from_directory(cls, directory: Path) -> BotClassifier:
        return cls(json.loads((directory / SNAPSHOT_FILE).read_bytes()), directory)

    def classify(self, user_agent: str | None, ip: str | None) -> Match | None:
        return classify(self._matchers, user_agent, ip)
