import pytest

from unmta_fleet.ratelimit import Throttle, parse_rate


@pytest.mark.parametrize("text, expected", [
    ("500/hr", Throttle(500, 3600)),
    ("1,000/day", Throttle(1000, 86400)),
    ("1,000,000/d", Throttle(1_000_000, 86400)),
    ("50/hr,max_burst=10", Throttle(50, 3600, 10)),
    ("500/30min", Throttle(500, 1800)),
    ("10/s", Throttle(10, 1)),
    ("10/sec", Throttle(10, 1)),
    ("10/second", Throttle(10, 1)),
    ("10/m", Throttle(10, 60)),
    ("10/minute", Throttle(10, 60)),
    ("10/h", Throttle(10, 3600)),
    ("10/hour", Throttle(10, 3600)),
    ("10/2day", Throttle(10, 172800)),
])
def test_valid_throttles_parse(text, expected):
    assert parse_rate(text) == expected


@pytest.mark.parametrize("text", [
    "", "500", "/hr", "500/", "500/week", "500/hrs", "1,00/hr", "1000,/hr", ",100/hr", "-5/hr", "0/hr",
    "500/0min", "50/hr,max_burst=", "50/hr,max_burst=0", "50/hr,burst=10", " 500/hr", "500/hr ", "500 /hr",
    "5.5/hr", "500/HR", "50/hr,max_burst=10,max_burst=2",
])
def test_invalid_throttles_are_rejected_with_a_readable_reason(text):
    with pytest.raises(ValueError, match="max message rate"):
        parse_rate(text)
