"""A small synchronous client for the admin API (the CLI needs nothing more)."""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request


class ApiError(Exception):
    def __init__(self, status: int, body: dict | None, text: str) -> None:
        super().__init__(text)
        self.status = status
        self.body = body or {}

    def describe(self) -> str:
        message = self.body.get("message") or str(self)
        errors = self.body.get("errors") or {}
        details = "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in errors.items())
        return f"{self.status} {message}" + (f" ({details})" if details and len(errors) > 1 else "")


class Unreachable(Exception):
    pass


class AdminClient:
    def __init__(self, url: str, token: str, timeout: float = 30.0) -> None:
        self.url = url.rstrip("/")
        self.token = token
        self.timeout = timeout

    def request(self, method: str, path: str, body: dict | None = None, query: dict | None = None):
        url = f"{self.url}{path}"
        if query:
            url += "?" + urllib.parse.urlencode({k: v for k, v in query.items() if v is not None})
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(url, data=data, method=method, headers={
            "Authorization": f"Bearer {self.token}", "Content-Type": "application/json",
            "Accept": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                raw = response.read()
                return json.loads(raw) if raw else None
        except urllib.error.HTTPError as exc:
            raw = exc.read()
            try:
                parsed = json.loads(raw) if raw else None
            except ValueError:
                parsed = None
            raise ApiError(exc.code, parsed if isinstance(parsed, dict) else None,
                           raw.decode(errors="replace")[:300] or exc.reason) from None
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise Unreachable(f"cannot reach the control plane at {self.url}: {reason}") from None
