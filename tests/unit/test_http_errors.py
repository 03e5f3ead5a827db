import msgspec
import pytest

from unmta_gateway.admin import ClusterCreateIn, MtaCreateIn
from unmta_gateway.http import translate


def errors_for(type_, raw: bytes) -> dict:
    with pytest.raises(msgspec.ValidationError) as error:
        msgspec.json.decode(raw, type=type_)
    return translate(error.value)


def test_missing_field_reads_like_the_contract():
    assert errors_for(ClusterCreateIn, b"{}") == {"region": ["The region field is required."]}


def test_wrong_type_names_the_expected_kind():
    assert errors_for(ClusterCreateIn, b'{"region": 5}') == {"region": ["The region field must be a string."]}
    assert errors_for(ClusterCreateIn, b'{"region": "x", "max_message_rate": []}') == {
        "max_message_rate": ["The max message rate field must be a string."]}


def test_nested_paths_use_dots():
    assert errors_for(MtaCreateIn, b'{"primary_ipv4": "1.2.3.4", "outbound_ips": [{"ipv6": "::1"}]}') == {
        "outbound_ips.0.ipv4": ["The outbound ips.0.ipv4 field is required."]}


def test_unknown_fields_and_non_objects():
    assert errors_for(ClusterCreateIn, b'{"region": "x", "colour": 1}') == {
        "colour": ["The colour field is not allowed."]}
    assert errors_for(ClusterCreateIn, b"[1]") == {"body": ["The request body must be a JSON object."]}
