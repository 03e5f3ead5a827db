import json
from importlib import resources

import pytest

from unmta_botsigs.catalogue import load_catalogue
from unmta_botsigs.mailclients import MAIL_CLIENT_USER_AGENTS
from unmta_botsigs.matcher import (
    Match,
    Matcher,
    Signature,
    artifact_decoder,
    artifact_encoder,
    classify,
    compile_artifact,
)


def sig(ref, type_, pattern, source="custom", kind="automation") -> Signature:
    return Signature(ref=ref, type=type_, pattern=pattern, source=source, kind=kind)


def matcher(*signatures: Signature) -> Matcher:
    return Matcher(artifact_decoder.decode(artifact_encoder.encode(compile_artifact(list(signatures)))))


def test_user_agents_match_case_insensitively_as_substrings_or_prefixes():
    m = matcher(sig("a", "user_agent", "InternalScanner/1.0"), sig("b", "user_agent", "^curl/"))
    assert m.classify("Mozilla/5.0 internalscanner/1.0 (x)", None).ref == "a"
    assert m.classify("curl/8.4.0", None).ref == "b"
    assert m.classify("not curl/8.4.0", None) is None
    assert m.classify("", None) is None and m.classify(None, None) is None


def test_order_is_user_agent_then_exact_then_cidr():
    m = matcher(sig("cidr", "ip_cidr", "198.51.100.0/24"), sig("exact", "ip_exact", "198.51.100.7"),
                sig("ua", "user_agent", "scanbot"))
    assert m.classify("ScanBot/2", "198.51.100.7").ref == "ua"
    assert m.classify("Mozilla", "198.51.100.7").ref == "exact"
    assert m.classify("Mozilla", "198.51.100.8").ref == "cidr"
    assert m.classify("Mozilla", "198.51.101.8") is None


def test_most_specific_cidr_wins_whatever_the_order():
    m = matcher(sig("wide", "ip_cidr", "10.0.0.0/8"), sig("narrow", "ip_cidr", "10.1.2.0/24"),
                sig("mid", "ip_cidr", "10.1.0.0/16"), sig("v6", "ip_cidr", "2001:db8::/32"),
                sig("v6narrow", "ip_cidr", "2001:db8:aa::/48"))
    assert m.classify(None, "10.1.2.3").ref == "narrow"
    assert m.classify(None, "10.1.3.3").ref == "mid"
    assert m.classify(None, "10.2.0.1").ref == "wide"
    assert m.classify(None, "10.255.255.255").ref == "wide"
    assert m.classify(None, "11.0.0.0") is None
    assert m.classify(None, "2001:db8:aa::1").ref == "v6narrow"
    assert m.classify(None, "2001:db8:bb::1").ref == "v6"
    assert m.classify(None, "2001:db9::1") is None


def test_ipv4_mapped_ipv6_is_ipv4_and_garbage_is_no_match():
    m = matcher(sig("e", "ip_exact", "192.0.2.9"), sig("c", "ip_cidr", "192.0.2.0/24"))
    assert m.classify(None, "::ffff:192.0.2.9").ref == "e"
    assert m.classify(None, "::ffff:c000:20a").ref == "c"
    assert m.classify(None, "not-an-ip") is None and m.classify(None, "999.1.1.1") is None


def test_custom_signatures_come_before_defaults_and_specificity_spans_both():
    custom = matcher(sig("custom-ua", "user_agent", "bot"), sig("custom-wide", "ip_cidr", "203.0.0.0/8"))
    defaults = matcher(sig("default-ua", "user_agent", "googlebot", "google"),
                       sig("default-narrow", "ip_cidr", "203.0.113.0/24", "crawler"))
    assert classify((custom, defaults), "Googlebot/2.1", None).ref == "custom-ua"
    assert classify((custom, defaults), None, "203.0.113.5").ref == "default-narrow"
    assert classify((custom, defaults), None, "203.9.9.9").ref == "custom-wide"


@pytest.fixture(scope="module")
def catalogue_matcher():
    catalogue = load_catalogue()
    return Matcher(compile_artifact(catalogue.as_signatures(catalogue.default_enabled())))


def test_the_catalogue_is_real_large_and_keyed_stably():
    catalogue = load_catalogue()
    assert len(catalogue.signatures) >= 10_000
    by_key = {s.key: s for s in catalogue.signatures}
    assert len(by_key) == len(catalogue.signatures)
    google = by_key["ua:googleimageproxy"]
    assert (google.type, google.pattern, google.source, google.label, google.kind) == (
        "user_agent", "GoogleImageProxy", "google", "Google Image Proxy", "proxy")
    apple = by_key["apple:17.0.0.0/8"]
    assert (apple.type, apple.pattern, apple.source, apple.label) == ("ip_cidr", "17.0.0.0/8", "apple",
                                                                      "Apple Private Relay")
    assert {s.type for s in catalogue.signatures} == {"user_agent", "ip_exact", "ip_cidr"}
    assert all(s.kind in ("proxy", "automation") for s in catalogue.signatures)
    notice = resources.files("unmta_botsigs").joinpath("data/NOTICE").read_text()
    assert "CC BY 4.0" in notice and "RouteViews" in notice and "DB-IP" in notice


def test_no_enabled_default_matches_a_real_browser_or_mail_client(catalogue_matcher):
    browsers = resources.files("fake_useragent").joinpath("data/browsers.jsonl").read_text().splitlines()
    corpus = [json.loads(line)["useragent"] for line in browsers if line] + list(MAIL_CLIENT_USER_AGENTS)
    assert len(corpus) > 6_000
    assert [ua for ua in corpus if catalogue_matcher.classify(ua, None) is not None] == []


@pytest.mark.parametrize("user_agent, ip, ref, kind", [
    ("Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 (via ggpht.com GoogleImageProxy)", None,
     "ua:googleimageproxy", "proxy"),
    ("YahooMailProxy; https://help.yahoo.com/kb/yahoo-mail-proxy-SLN28749.html", None, "ua:yahoomailproxy", "proxy"),
    ("Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.2; +https://openai.com/gptbot)", None,
     "ua:gptbot", "automation"),
    ("Microsoft Office Existence Discovery", None, "ua:microsoft-office-existence-discovery", "automation"),
    (None, "17.253.0.1", None, "proxy"),
    (None, "2001:4860:4801:10::1", None, "automation"),
])
def test_known_bots_are_classified(catalogue_matcher, user_agent, ip, ref, kind):
    match = catalogue_matcher.classify(user_agent, ip)
    assert match is not None and match.kind == kind
    if ref:
        assert match.ref == ref
    else:
        assert match.source in ("apple", "google")


def test_apple_17_slash_8_matches_when_nothing_narrower_does():
    only_apple = matcher(sig("apple:17.0.0.0/8", "ip_cidr", "17.0.0.0/8", "apple", "proxy"))
    assert only_apple.classify(None, "17.1.2.3") == Match("apple:17.0.0.0/8", "apple", "proxy")
