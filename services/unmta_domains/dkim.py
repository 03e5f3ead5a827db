"""DKIM key material and the DNS records a customer publishes (pure, but for key generation)."""

from __future__ import annotations

import base64
import re

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

SELECTOR = "unmta"
ALGORITHM = "rsa-sha256"
KEY_BITS = 2048
DMARC_VALUE = "v=DMARC1; p=reject; adkim=s; aspf=r"


def generate_private_key_pem() -> tuple[bytes, str]:
    """(PKCS#8 PEM of a new RSA-2048 key, base64 DER SubjectPublicKeyInfo). ~50-100 ms: off the loop."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=KEY_BITS)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    return pem, public_key_b64(key.public_key())


def public_key_b64(public_key) -> str:
    spki = public_key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return base64.b64encode(spki).decode()


def public_key_of_pem(pem: str | bytes) -> str:
    """The base64 SPKI of a private key: lets an MTA check a key matches its published record."""
    key = serialization.load_pem_private_key(pem.encode() if isinstance(pem, str) else pem, password=None)
    return public_key_b64(key.public_key())


def dns_records(public_key: str) -> dict:
    return {
        "dkim": {"type": "TXT", "name": f"{SELECTOR}._domainkey", "value": f"p={public_key}"},
        "dmarc": {"type": "TXT", "name": "_dmarc", "value": DMARC_VALUE},
    }


def dkim_record_name(domain: str) -> str:
    return f"{SELECTOR}._domainkey.{domain}"


def _tags(record: str) -> dict[str, str]:
    tags = {}
    for part in record.split(";"):
        name, sep, value = part.partition("=")
        if sep:
            tags[name.strip().lower()] = re.sub(r"\s+", "", value)
    return tags


def check_dkim_record(txt_records: list[str], public_key: str) -> str | None:
    """None when a TXT record publishes exactly `public_key`; else why not, in words."""
    published = [_tags(record).get("p") for record in txt_records]
    if public_key in published:
        return None
    keys = [p for p in published if p is not None]
    if not keys:
        return "The DKIM TXT record has no p= tag."
    if any(k == "" for k in keys):
        return "The DKIM TXT record publishes an empty (revoked) key."
    return "The DKIM TXT record publishes a different key than the one issued."
