import hashlib
import json

import msgspec
import pytest

from unmta_agent.agent import SnapshotRejected, etag_of, load_installed, verify, write_atomically


def snapshot(version: int, rate: str | None = None) -> bytes:
    content = {"cluster": {"id": "c1", "max_message_rate": rate}, "mta": {"id": "m1"}}
    digest = hashlib.sha256(msgspec.json.encode(content, order="sorted")).hexdigest()
    return json.dumps({"version": version, "content_hash": digest, **content}).encode()


def test_verify_accepts_intact_and_rejects_tampered_snapshots():
    good = snapshot(3)
    assert verify(good)["version"] == 3
    tampered = good.replace(b'"m1"', b'"m2"')
    with pytest.raises(SnapshotRejected, match="hash"):
        verify(tampered)
    with pytest.raises(SnapshotRejected):
        verify(b"not json")


def test_atomic_write_leaves_no_temp_files_and_is_reloaded(tmp_path):
    write_atomically(tmp_path, "snapshot.json", snapshot(1))
    write_atomically(tmp_path, "snapshot.json", snapshot(2, "5/s"))
    assert [p.name for p in tmp_path.iterdir()] == ["snapshot.json"]
    installed = load_installed(tmp_path)
    assert installed.version == 2
    assert installed.etag == etag_of(json.loads(snapshot(2, "5/s")))


def test_a_corrupt_file_counts_as_nothing_installed(tmp_path):
    (tmp_path / "snapshot.json").write_text("{")
    assert load_installed(tmp_path) is None


def test_the_agent_never_installs_an_older_version(tmp_path):
    from unmta_agent.agent import Agent, AgentConfig

    write_atomically(tmp_path, "snapshot.json", snapshot(5, "5/s"))
    agent = Agent(AgentConfig(url="http://127.0.0.1:9", mta_id="m1", token="t", directory=tmp_path))
    agent._install(snapshot(3, "1/s"))
    assert load_installed(tmp_path).version == 5
    agent._install(snapshot(6, "1/s"))
    assert load_installed(tmp_path).version == 6
