import json

import msgspec

from unmta_common.envelope import EventEnvelope, encode
from unmta_configsync.projection import ClusterState, apply, render
from unmta_fleet.messages import ClusterAccessGranted, ClusterCreated, ClusterRateChanged, MtaRegistered, OutboundIp


def envelope(payload, aggregate_type="cluster", cluster_id="c1", n=1) -> EventEnvelope:
    return EventEnvelope(event_id=f"00000000-0000-7000-8000-{n:012d}", type=type(payload).__name__,
                         schema_version=1, aggregate_type=aggregate_type, aggregate_id=f"x-{n}", aggregate_version=n,
                         cluster_id=cluster_id, occurred_at="2025-01-15T10:30:00Z", causation_id="c",
                         correlation_id="c", actor="operator", data=msgspec.Raw(encode(payload)))


CREATED = envelope(ClusterCreated(cluster_id="c1", hostname="c-c1.unmta.net", region="us-dal-1",
                                  max_message_rate="50/hr,max_burst=10"))
MTA = envelope(MtaRegistered(mta_id="m1", cluster_id="c1", hostname="m-m1.unmta.net", primary_ipv4="203.0.113.10",
                             outbound_ips=[OutboundIp(ipv4="203.0.113.20", ptr="p")], token_digest="d" * 64),
               aggregate_type="mta", n=2)


def build(*events) -> ClusterState:
    state = ClusterState(cluster_id="c1")
    for event in events:
        state = apply(state, event)
    return state


def test_no_snapshot_until_the_cluster_and_an_mta_exist():
    assert render(build()) == []
    assert render(build(CREATED)) == []
    [snapshot] = render(build(CREATED, MTA))
    body = json.loads(snapshot.body)
    assert body["version"] == 2
    assert body["cluster"]["throttle"] == {"limit": 50, "period_seconds": 3600, "max_burst": 10}
    assert body["mta"]["outbound_ips"] == [{"ipv4": "203.0.113.20", "ipv6": None, "ptr": "p"}]
    assert "token_digest" not in snapshot.body.decode()


def test_version_counts_only_changes_and_etag_follows_content():
    state = build(CREATED, MTA)
    same = apply(state, envelope(ClusterRateChanged(cluster_id="c1", max_message_rate="50/hr,max_burst=10"), n=3))
    assert same is state
    grant = apply(state, envelope(ClusterAccessGranted(user_id="u", cluster_id="c1"), aggregate_type="user", n=4))
    assert grant is state
    changed = apply(state, envelope(ClusterRateChanged(cluster_id="c1", max_message_rate=None), n=5))
    [before], [after] = render(state), render(changed)
    assert after.version == before.version + 1
    assert after.etag != before.etag
    assert json.loads(after.body)["cluster"]["throttle"] is None


def test_rendering_is_byte_identical_for_the_same_events():
    assert render(build(CREATED, MTA)) == render(build(CREATED, MTA))


def test_events_for_an_unknown_cluster_wait_for_it():
    # Across topics the order is not guaranteed: an MTA may be seen before its cluster.
    assert render(build(MTA, CREATED)) == render(build(CREATED, MTA))
