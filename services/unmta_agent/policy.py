"""What an MTA decides from its snapshot alone: may this login send from this domain, from this IP?"""

from __future__ import annotations

import ipaddress

from unmta_credentials.passwords import verify_password


def _ip(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
    ip = ipaddress.ip_address(value)
    # An IPv4 client seen through an IPv6 socket (::ffff:a.b.c.d) is that IPv4 client.
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    return ip


def find_credential(snapshot: dict, user: str) -> dict | None:
    return next((c for c in snapshot.get("credentials") or [] if c["user"] == user), None)


def authenticates(credential: dict, password: str) -> bool:
    return verify_password(credential["password_hash"], password)


def may_send_from(credential: dict, sender_domain: str) -> bool:
    return credential["allow_all_domains"] or sender_domain.lower().rstrip(".") in credential["domains"]


def may_connect_from(credential: dict, client_ip: str) -> bool:
    if credential["allow_all_ips"]:
        return True
    ip = _ip(client_ip)
    for allowed in credential["allowed_ips"]:
        network = ipaddress.ip_network(allowed, strict=False)
        if ip.version == network.version and ip in network:
            return True
    return False


def may_send(snapshot: dict, user: str, password: str, sender_domain: str, client_ip: str) -> bool:
    credential = find_credential(snapshot, user)
    return (credential is not None and authenticates(credential, password)
            and may_send_from(credential, sender_domain) and may_connect_from(credential, client_ip))
