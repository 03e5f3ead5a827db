"""Credential rules (pure): user names, domain and IP restrictions, and PUT's merge semantics."""

from __future__ import annotations

import ipaddress
import re

import msgspec

from unmta_common.decisions import Errors
from unmta_domains.names import domain_name_errors, normalise

MAX_USER = 255
_USER = re.compile(r"[A-Za-z0-9+=,.@_-]+")


class Restrictions(msgspec.Struct, frozen=True, kw_only=True):
    allow_all_domains: bool = False
    domains: list[str] = []
    allow_all_ips: bool = True
    allowed_ips: list[str] = []


def user_errors(user: str) -> list[str]:
    if not user:
        return ["The user field is required."]
    if len(user) > MAX_USER:
        return [f"The user must not be greater than {MAX_USER} characters."]
    if not _USER.fullmatch(user):
        return ["The user may only contain letters, numbers and + = , . @ _ -."]
    return []


def normalise_ip_or_cidr(value: str) -> str:
    """Canonical text of an address or a block; raises ValueError with the reason."""
    if "/" not in value:
        return str(ipaddress.ip_address(value))
    address, _, prefix = value.partition("/")
    if not prefix.isdigit():
        raise ValueError(f"{value} is not a valid IP address or CIDR block.")
    ip = ipaddress.ip_address(address)
    limit = 32 if ip.version == 4 else 128
    if int(prefix) > limit:
        raise ValueError(f"{value} has a prefix longer than /{limit}.")
    try:
        return str(ipaddress.ip_network(value, strict=True))
    except ValueError:
        network = ipaddress.ip_network(value, strict=False)
        raise ValueError(f"{value} has host bits set (did you mean {network}?).") from None


def restriction_errors(r: Restrictions) -> Errors:
    errors: Errors = {}
    if not r.allow_all_domains and not r.domains:
        errors["domains"] = ["The domains field is required when allow all domains is false."]
    for i, name in enumerate(r.domains):
        problems = domain_name_errors(normalise(name), field=f"domains.{i}")
        if problems:
            errors[f"domains.{i}"] = problems
    if not r.allow_all_ips and not r.allowed_ips:
        errors["allowed_ips"] = ["The allowed ips field is required when allow all ips is false."]
    for i, value in enumerate(r.allowed_ips):
        try:
            normalise_ip_or_cidr(value)
        except ValueError as exc:
            reason = str(exc) if "/" in value else f"{value} is not a valid IP address or CIDR block."
            errors[f"allowed_ips.{i}"] = [f"The allowed_ips.{i} is invalid: {reason}"]
    return errors


def normalised(r: Restrictions) -> Restrictions:
    """Lowercase domains and canonical IPs, duplicates dropped, order kept. Call after validation."""
    return Restrictions(allow_all_domains=r.allow_all_domains,
                        domains=list(dict.fromkeys(normalise(d) for d in r.domains)),
                        allow_all_ips=r.allow_all_ips,
                        allowed_ips=list(dict.fromkeys(normalise_ip_or_cidr(v) for v in r.allowed_ips)))


def merge_update(current: Restrictions, allow_all_domains, domains, allow_all_ips, allowed_ips) -> Restrictions:
    """PUT semantics: fields not sent stay; `domains` without `allow_all_domains` sets it to false,
    and likewise `allowed_ips` / `allow_all_ips`. Arguments are msgspec.UNSET when not sent."""
    unset = msgspec.UNSET
    if domains is not unset and allow_all_domains is unset:
        allow_all_domains = False
    if allowed_ips is not unset and allow_all_ips is unset:
        allow_all_ips = False
    return Restrictions(
        allow_all_domains=current.allow_all_domains if allow_all_domains is unset else allow_all_domains,
        domains=current.domains if domains is unset else domains,
        allow_all_ips=current.allow_all_ips if allow_all_ips is unset else allow_all_ips,
        allowed_ips=current.allowed_ips if allowed_ips is unset else allowed_ips,
    )
