import msgspec
import pytest

from unmta_agent.policy import may_connect_from, may_send_from
from unmta_credentials.passwords import ALPHABET, hash_password, new_password, verify_password
from unmta_credentials.rules import Restrictions, merge_update, normalise_ip_or_cidr, restriction_errors, user_errors

UNSET = msgspec.UNSET


@pytest.mark.parametrize("user, ok", [
    ("webapp-production", True), ("a+b=c,d.e@f_g-h", True), ("x" * 255, True), ("x" * 256, False), ("", False),
    ("has space", False), ("semi;colon", False), ("ünïcode", False), ("slash/", False),
])
def test_user_rule(user, ok):
    assert (user_errors(user) == []) is ok


def test_domains_required_unless_all_domains_and_ips_unless_all_ips():
    assert restriction_errors(Restrictions()) == {
        "domains": ["The domains field is required when allow all domains is false."]}
    assert restriction_errors(Restrictions(allow_all_domains=True, allow_all_ips=False)) == {
        "allowed_ips": ["The allowed ips field is required when allow all ips is false."]}
    assert restriction_errors(Restrictions(allow_all_domains=True)) == {}


def test_each_domain_and_ip_is_checked_and_keyed_by_position():
    errors = restriction_errors(Restrictions(domains=["example.com", "bad_domain", "x.test"], allow_all_ips=False,
                                             allowed_ips=["203.0.113.0/24", "nope", "203.0.113.5/24", "10.0.0.0/33",
                                                          "2001:db8::/129", "2001:db8::/32"]))
    assert set(errors) == {"domains.1", "domains.2", "allowed_ips.1", "allowed_ips.2", "allowed_ips.3",
                           "allowed_ips.4"}
    assert "host bits set (did you mean 203.0.113.0/24?)" in errors["allowed_ips.2"][0]
    assert "longer than /32" in errors["allowed_ips.3"][0]
    assert "longer than /128" in errors["allowed_ips.4"][0]


@pytest.mark.parametrize("value, canonical", [
    ("198.51.100.5", "198.51.100.5"), ("2001:DB8:0::1", "2001:db8::1"), ("0.0.0.0/0", "0.0.0.0/0"),
    ("::/0", "::/0"), ("10.0.0.0/8", "10.0.0.0/8"), ("2001:db8::/32", "2001:db8::/32"),
])
def test_ips_and_blocks_normalise(value, canonical):
    assert normalise_ip_or_cidr(value) == canonical


def test_put_merge_semantics():
    current = Restrictions(allow_all_domains=True, domains=[], allow_all_ips=True, allowed_ips=[])
    assert merge_update(current, UNSET, ["a.com"], UNSET, UNSET) == Restrictions(
        allow_all_domains=False, domains=["a.com"], allow_all_ips=True, allowed_ips=[])
    assert merge_update(current, UNSET, UNSET, UNSET, ["1.2.3.4"]) == Restrictions(
        allow_all_domains=True, domains=[], allow_all_ips=False, allowed_ips=["1.2.3.4"])
    assert merge_update(current, True, ["a.com"], UNSET, UNSET).allow_all_domains is True
    assert merge_update(current, UNSET, UNSET, UNSET, UNSET) == current


def test_passwords_are_32_alphanumerics_and_verify_only_themselves():
    password = new_password()
    assert len(password) == 32 and set(password) <= set(ALPHABET)
    assert new_password() != password
    hashed = hash_password(password)
    assert hashed.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    assert verify_password(hashed, password)
    assert not verify_password(hashed, password[:-1] + "!")
    assert not verify_password("not a hash", password)


def test_mta_side_restrictions():
    credential = {"allow_all_domains": False, "domains": ["example.com"], "allow_all_ips": False,
                  "allowed_ips": ["203.0.113.0/24", "198.51.100.5", "2001:db8::/32"]}
    assert may_send_from(credential, "Example.COM") and not may_send_from(credential, "mail.example.com")
    assert may_connect_from(credential, "203.0.113.77")
    assert may_connect_from(credential, "::ffff:203.0.113.77")
    assert may_connect_from(credential, "198.51.100.5") and not may_connect_from(credential, "198.51.100.6")
    assert may_connect_from(credential, "2001:db8:1::5") and not may_connect_from(credential, "2001:db9::5")
    assert may_send_from({**credential, "allow_all_domains": True}, "anything.net")
    assert may_connect_from({**credential, "allow_all_ips": True}, "192.0.2.1")
