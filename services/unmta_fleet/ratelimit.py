"""KumoMTA throttle syntax for `max_message_rate`: `quantity/period[,max_burst=N]`.

Examples: "500/hr", "1,000/day", "50/hr,max_burst=10", "500/30min".
"""

from __future__ import annotations

import re

import msgspec

_PERIOD_SECONDS = {
    "s": 1, "sec": 1, "second": 1,
    "m": 60, "min": 60, "minute": 60,
    "h": 3600, "hr": 3600, "hour": 3600,
    "d": 86400, "day": 86400,
}

_SYNTAX = re.compile(
    r"(?P<quantity>[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)"
    r"/(?P<multiplier>[0-9]+)?(?P<period>second|sec|s|minute|min|m|hour|hr|h|day|d)"
    r"(?:,max_burst=(?P<burst>[0-9]+))?"
)


class Throttle(msgspec.Struct, frozen=True):
    limit: int
    period_seconds: int
    max_burst: int | None = None


def parse_rate(text: str) -> Throttle:
    """Raises ValueError with a readable reason when `text` is not valid throttle syntax."""
    match = _SYNTAX.fullmatch(text)
    if match is None:
        raise ValueError(
            'The max message rate must look like "500/hr", "1,000/day", "500/30min" or "50/hr,max_burst=10".'
        )
    limit = int(match["quantity"].replace(",", ""))
    multiplier = int(match["multiplier"]) if match["multiplier"] else 1
    burst = int(match["burst"]) if match["burst"] is not None else None
    if limit < 1:
        raise ValueError("The max message rate quantity must be at least 1.")
    if multiplier < 1:
        raise ValueError("The max message rate period multiplier must be at least 1.")
    if burst is not None and burst < 1:
        raise ValueError("The max message rate max_burst must be at least 1.")
    return Throttle(limit=limit, period_seconds=multiplier * _PERIOD_SECONDS[match["period"]], max_burst=burst)
