"""Custom-signature rules (pure)."""

from __future__ import annotations

import ipaddress

from unmta_common.decisions import Errors

TYPES = ("user_agent", "ip_exact", "ip_cidr")
KINDS = ("automation", "proxy")
MAX_PATTERN = 1000
MAX_LABEL = 255


def normalise_pattern(type_: str, pattern: str) -> str:
    """Canonical text of an IP pattern; user agents are kept as given. Call after validation."""
    if type_ == "ip_exact":
        return str(ipaddress.ip_address(pattern))
    if type_ == "ip_cidr":
        return str(ipaddress.ip_network(pattern, strict=True))
    return pattern


def custom_errors(type_: str, pattern: str, label: str | None, kind: str) -> Errors:
    errors: Errors = {}
    if type_ not in TYPES:
        errors["type"] = ["The selected type is invalid (use user_agent, ip_exact or ip_cidr)."]
    if kind not in KINDS:
        errors["kind"] = ["The selected kind is invalid (use automation or proxy)."]
    if label is not None and len(label) > MAX_LABEL:
        errors["label"] = [f"The label must not be greater than {MAX_LABEL} characters."]
    if not pattern:
        errors["pattern"] = ["The pattern field is required."]
    elif len(pattern) > MAX_PATTERN:
        errors["pattern"] = [f"The pattern must not be greater than {MAX_PATTERN} characters."]
    elif type_ == "ip_exact":
        try:
            ipaddress.ip_address(pattern)
        except ValueError:
            errors["pattern"] = ["The pattern must be a valid IPv4 or IPv6 address."]
    elif type_ == "ip_cidr":
        errors.update(_cidr_errors(pattern))
    return errors


def _cidr_errors(pattern: str) -> Errors:
    address, slash, prefix = pattern.partition("/")
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return {"pattern": ["The pattern must be a valid CIDR block (e.g. 198.51.100.0/24)."]}
    limit = 32 if ip.version == 4 else 128
    if not slash or not prefix.isdigit() or int(prefix) > limit:
        return {"pattern": [f"The pattern must be a CIDR block with a prefix from /0 to /{limit}."]}
    try:
        ipaddress.ip_network(pattern, strict=True)
    except ValueError:
        network = ipaddress.ip_network(pattern, strict=False)
        return {"pattern": [f"The pattern has host bits set (did you mean {network}?)."]}
    return {}
