import pytest

from unmta_common.decisions import Rejected
from unmta_fleet.domain import Cluster, Mta, User
from unmta_fleet.messages import (
    ApiTokenRevoked,
    ClusterAccessGranted,
    ClusterCreated,
    ClusterRateChanged,
    MtaRegistered,
    OutboundIp,
    UserRegistered,
)
from unmta_fleet.validation import email_errors, ipv4_errors, ipv6_errors


def created_cluster(rate=None) -> Cluster:
    cluster = Cluster("a1b2c3d4")
    for event in cluster.create("us-dal-1", rate, "unmta.net"):
        cluster.apply(event)
    return cluster


def test_create_cluster_emits_hostname_from_base_domain():
    [event] = Cluster("a1b2c3d4").create("us-dal-1", "500/hr", "example.net")
    assert event == ClusterCreated(cluster_id="a1b2c3d4", hostname="c-a1b2c3d4.example.net", region="us-dal-1",
                                   max_message_rate="500/hr")


def test_create_cluster_with_bad_rate_is_422_keyed_by_field():
    with pytest.raises(Rejected) as rejected:
        Cluster("a1b2c3d4").create("us-dal-1", "fast", "unmta.net")
    assert rejected.value.status == 422
    assert list(rejected.value.errors) == ["max_message_rate"]


def test_set_rate_on_missing_cluster_is_404():
    with pytest.raises(Rejected) as rejected:
        Cluster("a1b2c3d4").set_rate("5/s")
    assert rejected.value.status == 404


def test_set_rate_changes_then_is_a_no_op_when_equal():
    cluster = created_cluster("500/hr")
    assert cluster.set_rate(None) == [ClusterRateChanged(cluster_id="a1b2c3d4", max_message_rate=None)]
    assert cluster.set_rate("500/hr") == []
    assert cluster.version == 1


def test_mta_registration_normalises_ips_and_derives_ptr():
    [event] = Mta("x1y2z3w4").register(created_cluster(), "203.0.113.10", "2001:DB8:0::1",
                                       [OutboundIp(ipv4="203.0.113.20")], "d" * 64, "unmta.net")
    assert isinstance(event, MtaRegistered)
    assert event.primary_ipv6 == "2001:db8::1"
    assert event.outbound_ips == [OutboundIp(ipv4="203.0.113.20", ipv6=None, ptr="ip-203-0-113-20.unmta.net")]
    assert event.hostname == "m-x1y2z3w4.unmta.net"


def test_mta_in_missing_cluster_is_404_and_bad_ip_is_422():
    with pytest.raises(Rejected) as missing:
        Mta("x").register(Cluster("nope"), "203.0.113.10", None, [], "d", "unmta.net")
    assert missing.value.status == 404
    with pytest.raises(Rejected) as bad:
        Mta("x").register(created_cluster(), "2001:db8::1", None, [OutboundIp(ipv4="999.1.1.1")], "d", "unmta.net")
    assert bad.value.status == 422
    assert set(bad.value.errors) == {"primary_ipv4", "outbound_ips.0.ipv4"}


def test_user_lifecycle_one_token_at_a_time():
    user = User("ops@example.com")
    for event in user.register("u1"):
        user.apply(event)
    with pytest.raises(Rejected) as taken:
        user.register("u2")
    assert taken.value.errors == {"email": ["The email has already been taken."]}
    [issued] = user.issue_token("digest-1")
    user.apply(issued)
    [reissued] = user.issue_token("digest-2")
    user.apply(reissued)
    assert user.token_digest == "digest-2"
    assert user.revoke_token() == [ApiTokenRevoked(user_id="u1")]
    user.apply(ApiTokenRevoked(user_id="u1"))
    assert user.revoke_token() == []


def test_grant_is_idempotent_and_needs_both_sides():
    user = User("ops@example.com")
    user.apply(UserRegistered(user_id="u1", email="ops@example.com"))
    cluster = created_cluster()
    assert user.grant(cluster) == [ClusterAccessGranted(user_id="u1", cluster_id="a1b2c3d4")]
    user.apply(ClusterAccessGranted(user_id="u1", cluster_id="a1b2c3d4"))
    assert user.grant(cluster) == []
    with pytest.raises(Rejected):
        user.grant(Cluster("missing"))
    with pytest.raises(Rejected):
        User("nobody@example.com").grant(cluster)


def test_token_for_unknown_user_is_404():
    with pytest.raises(Rejected) as rejected:
        User("nobody@example.com").issue_token("d")
    assert rejected.value.status == 404


@pytest.mark.parametrize("value, ok", [("203.0.113.1", True), ("2001:db8::1", False), ("300.1.1.1", False),
                                       ("1.2.3", False), ("abc", False)])
def test_ipv4_rule(value, ok):
    assert (ipv4_errors("ip", value, required=True) == []) is ok


@pytest.mark.parametrize("value, ok", [("2001:db8::1", True), ("::ffff:1.2.3.4", True), ("203.0.113.1", False),
                                       ("2001:db8:::1", False), (None, True)])
def test_ipv6_rule(value, ok):
    assert (ipv6_errors("ip", value, required=False) == []) is ok


@pytest.mark.parametrize("value, ok", [("a@b.co", True), ("a@b", False), ("", False), ("a b@c.de", False)])
def test_email_rule(value, ok):
    assert (email_errors(value) == []) is ok
