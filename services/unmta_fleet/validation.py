"""Input rules for fleet resources. Pure: shared by the gateway (fast 422s) and the service."""

from __future__ import annotations

import ipaddress
import re

from .ratelimit import parse_rate

Errors = dict[str, list[str]]

_REGION = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


def region_errors(region: str) -> list[str]:
    if not region:
        return ["The region field is required."]
    if len(region) > 64 or not _REGION.fullmatch(region):
        return ["The region must be lowercase letters, digits and hyphens (e.g. us-dal-1)."]
    return []


def rate_errors(rate: str | None) -> list[str]:
    if rate is None:
        return []
    try:
        parse_rate(rate)
    except ValueError as exc:
        return [str(exc)]
    return []


def ipv4_errors(field: str, value: str | None, *, required: bool) -> list[str]:
    return _ip_errors(field, value, 4, required)


def ipv6_errors(field: str, value: str | None, *, required: bool) -> list[str]:
    return _ip_errors(field, value, 6, required)


def _ip_errors(field: str, value: str | None, version: int, required: bool) -> list[str]:
    label = field.replace("_", " ")
    if value is None or value == "":
        return [f"The {label} field is required."] if required else []
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return [f"The {label} must be a valid IPv{version} address."]
    if address.version != version:
        return [f"The {label} must be a valid IPv{version} address."]
    return []


def email_errors(email: str) -> list[str]:
    if not email:
        return ["The email field is required."]
    if len(email) > 254 or not _EMAIL.fullmatch(email):
        return ["The email must be a valid email address."]
    return []


def normalise_ip(value: str | None) -> str | None:
    return None if value in (None, "") else str(ipaddress.ip_address(value))


def ptr_for(ipv4: str, base_domain: str) -> str:
    return f"ip-{ipv4.replace('.', '-')}.{base_domain}"
