import pytest

from unmta_domains.dkim import check_dkim_record, dns_records
from unmta_domains.names import domain_name_errors, normalise


@pytest.mark.parametrize("name", [
    "example.com", "mail.example.co.uk", "xn--bcher-kva.de", "a.io", "a-b.c-d.net", "1.2.3.com",
    "x" * 63 + ".com", "xn--p1ai.xn--p1ai",
])
def test_valid_domains(name):
    assert domain_name_errors(name) == []


@pytest.mark.parametrize("name, words", [
    ("", "required"),
    ("localhost", "valid fully-qualified"),
    ("com", "valid fully-qualified"),
    ("-a.com", "valid fully-qualified"),
    ("a-.com", "valid fully-qualified"),
    ("a..com", "valid fully-qualified"),
    ("a_b.com", "valid fully-qualified"),
    ("x" * 64 + ".com", "valid fully-qualified"),
    (("a" * 60 + ".") * 5 + "com", "valid fully-qualified"),
    ("example.123", "valid fully-qualified"),
    ("192.168.1.1", "IP address"),
    ("2001:db8::1", "IP address"),
    ("mail.example.test", "reserved TLD .test"),
    ("foo.localhost", "reserved TLD .localhost"),
    ("foo.local", "reserved TLD .local"),
    ("foo.invalid", "reserved TLD .invalid"),
    ("foo.example", "reserved TLD .example"),
    ("foo.localdomain", "reserved TLD .localdomain"),
    ("exa mple.com", "valid fully-qualified"),
])
def test_invalid_domains_say_why(name, words):
    [message] = domain_name_errors(name)
    assert words in message


def test_subdomain_rule_for_tracking_domains():
    assert domain_name_errors("example.com", min_labels=3) == [
        "The name must be a subdomain (e.g. track.example.com), not an apex domain."]
    assert domain_name_errors("track.example.com", min_labels=3) == []


def test_normalise_lowercases_and_drops_one_trailing_dot():
    assert normalise(" Example.COM. ") == "example.com"


def test_dkim_record_matching():
    key = "MIIBIjANBgkq+/AB=="
    assert check_dkim_record([f"v=DKIM1; k=rsa; p={key}"], key) is None
    assert check_dkim_record([f"v=DKIM1; k=rsa; p={key[:8]} {key[8:]}"], key) is None
    assert check_dkim_record(["v=spf1 -all", f"p={key}"], key) is None
    assert "different key" in check_dkim_record(["p=OTHER"], key)
    assert "no p= tag" in check_dkim_record(["v=DKIM1; k=rsa"], key)
    assert "revoked" in check_dkim_record(["v=DKIM1; p="], key)
    assert dns_records(key)["dkim"] == {"type": "TXT", "name": "unmta._domainkey", "value": f"p={key}"}
