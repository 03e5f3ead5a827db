import pytest

from unmta_common.decisions import Rejected
from unmta_tracking.domain import TrackingDomains
from unmta_tracking.messages import (
    DefaultTrackingDomainChanged,
    TrackingDomainCreated,
    TrackingDomainDeleted,
    TrackingDomainVerified,
)


def with_domains(*names: str, default: str | None = None) -> TrackingDomains:
    tracking = TrackingDomains("c1")
    for name in names:
        for event in tracking.create(name, name == default, f"v-{name}.track.unmta.net"):
            tracking.apply(event)
    return tracking


def test_create_as_default_moves_the_default_in_the_same_decision():
    tracking = with_domains("t.a.com", default="t.a.com")
    events = tracking.create("t.b.com", True, "v-2.track.unmta.net")
    assert events == [
        TrackingDomainCreated(cluster_id="c1", name="t.b.com", verification_hostname="v-2.track.unmta.net"),
        DefaultTrackingDomainChanged(cluster_id="c1", name="t.b.com")]


def test_set_default_and_clear():
    tracking = with_domains("t.a.com", "t.b.com", default="t.a.com")
    assert tracking.set_default("t.a.com", True) == []
    assert tracking.set_default("t.b.com", False) == []
    assert tracking.set_default("t.b.com", True) == [DefaultTrackingDomainChanged(cluster_id="c1", name="t.b.com")]
    assert tracking.set_default("t.a.com", False) == [DefaultTrackingDomainChanged(cluster_id="c1", name=None)]
    with pytest.raises(Rejected) as missing:
        tracking.set_default("t.zzz.com", True)
    assert missing.value.status == 404


def test_deleting_the_default_leaves_none():
    tracking = with_domains("t.a.com", default="t.a.com")
    tracking.apply(TrackingDomainDeleted(cluster_id="c1", name="t.a.com"))
    assert tracking.default is None and tracking.names == {}


def test_checks_promote_only_pending_domains_once():
    tracking = with_domains("t.a.com")
    assert tracking.record_check("t.a.com", "No CNAME record found.") == []
    [verified] = tracking.record_check("t.a.com", None)
    assert verified == TrackingDomainVerified(cluster_id="c1", name="t.a.com")
    tracking.apply(verified)
    assert tracking.record_check("t.a.com", None) == []


def test_names_are_unique_and_must_be_subdomains():
    tracking = with_domains("t.a.com")
    for name, words in [("t.a.com", "already been taken"), ("a.com", "subdomain"), ("t.a.test", "reserved TLD")]:
        with pytest.raises(Rejected) as rejected:
            tracking.create(name, False, "v-x.track.unmta.net")
        assert words in rejected.value.message
