"""Domain-name rules shared by the domains and tracking services (pure)."""

from __future__ import annotations

import ipaddress
import re

RESERVED_TLDS = frozenset({"localhost", "local", "test", "invalid", "example", "localdomain"})
_LABEL = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")


def normalise(name: str) -> str:
    """Lowercase, without one trailing dot: how names are stored and compared."""
    name = name.strip().lower()
    return name[:-1] if name.endswith(".") else name


def domain_name_errors(name: str, *, min_labels: int = 2, field: str = "name") -> list[str]:
    """Why `name` (already normalised) is not an acceptable domain, or [] when it is."""
    if not name:
        return [f"The {field} field is required."]
    if _is_ip(name):
        return [f"The {field} must be a domain name, not an IP address."]
    labels = name.split(".")
    if len(name) > 253 or not all(_LABEL.fullmatch(label) for label in labels) or len(labels) < 2:
        return [f"The {field} must be a valid fully-qualified domain name."]
    if labels[-1].isdigit():
        return [f"The {field} must be a valid fully-qualified domain name."]
    if labels[-1] in RESERVED_TLDS:
        return [f"The {field} must not use the reserved TLD .{labels[-1]}."]
    if len(labels) < min_labels:
        return [f"The {field} must be a subdomain (e.g. track.example.com), not an apex domain."]
    return []


def _is_ip(name: str) -> bool:
    try:
        ipaddress.ip_address(name.strip("[]"))
        return True
    except ValueError:
        return False
