"""Human tables or --json, and a progress bar for long operations."""

from __future__ import annotations

import json
import sys


def _cell(value) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ",".join(map(str, value)) or "-"
    return str(value)


class Printer:
    def __init__(self, as_json: bool) -> None:
        self.as_json = as_json

    def record(self, response: dict | None, secret: tuple[str, str] | None = None) -> None:
        if self.as_json:
            print(json.dumps(response, indent=2))
            return
        data = (response or {}).get("data") or {}
        width = max((len(k) for k in data), default=0)
        for key, value in data.items():
            if isinstance(value, list) and value and isinstance(value[0], dict):
                value = "; ".join(",".join(_cell(v) for v in item.values() if v) for item in value)
            print(f"{key.ljust(width)}  {_cell(value)}")
        if secret and response and response.get(secret[0]):
            print(f"\n{secret[1]}:\n  {response[secret[0]]}")

    def table(self, response: dict, columns: list[str]) -> None:
        rows = response.get("data") or []
        if self.as_json:
            print(json.dumps(response, indent=2))
            return
        if not rows:
            print("(none)")
            return
        cells = [[_cell(row.get(c)) for c in columns] for row in rows]
        widths = [max(len(c), *(len(r[i]) for r in cells)) for i, c in enumerate(columns)]
        print("  ".join(c.upper().ljust(w) for c, w in zip(columns, widths)).rstrip())
        for row in cells:
            print("  ".join(v.ljust(w) for v, w in zip(row, widths)).rstrip())

    def done(self, text: str) -> None:
        print(json.dumps({"message": text}) if self.as_json else text)


class ProgressBar:
    def __init__(self, label: str, enabled: bool = True, width: int = 30) -> None:
        self.label = label
        self.enabled = enabled
        self.width = width
        self._shown = -1

    def update(self, done: int, total: int) -> None:
        if not self.enabled:
            return
        fraction = 1.0 if total == 0 else min(done / total, 1.0)
        percent = int(fraction * 100)
        if percent == self._shown:
            return
        self._shown = percent
        filled = int(fraction * self.width)
        sys.stderr.write(f"\r{self.label} [{'#' * filled}{'.' * (self.width - filled)}] {percent:3d}% "
                         f"{done}/{total} events")
        sys.stderr.flush()

    def finish(self) -> None:
        if self.enabled and self._shown >= 0:
            sys.stderr.write("\n")
