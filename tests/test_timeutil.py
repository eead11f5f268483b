import pytest

from nl2logql.logql.units import HOUR, MINUTE, SECOND
from nl2logql.timeutil import format_time, now_ns, parse_time, since

NEW_YEAR = 1_735_689_600 * SECOND  # 2025-01-01T00:00:00Z
NOW = NEW_YEAR + 7 * SECOND


@pytest.mark.parametrize("text, expected", [
    ("2025-01-01T00:00:00Z", NEW_YEAR),
    ("2025-01-01t00:00:00z", NEW_YEAR),
    ("2025-01-01T00:00:00.5Z", NEW_YEAR + SECOND // 2),
    ("2025-01-01T00:00:00.123456789Z", NEW_YEAR + 123_456_789),
    ("2025-01-01T02:00:00+02:00", NEW_YEAR),
    ("2024-12-31T19:30:00.000000001-04:30", NEW_YEAR + 1),
    ("1970-01-01T00:00:00Z", 0),
    ("1969-12-31T23:59:59Z", -SECOND),
])
def test_rfc3339(text, expected):
    assert parse_time(text) == expected


@pytest.mark.parametrize("value, expected", [
    ("1735689600", NEW_YEAR),                 # ten characters: seconds
    (1735689600, NEW_YEAR),
    ("0", 0),
    ("1735689600000000000", NEW_YEAR),        # nineteen digits: nanoseconds
    (1735689600000000000, NEW_YEAR),
    ("1735689600000", 1_735_689_600_000),     # Loki reads anything longer than ten as ns
    ("1735689600.5", NEW_YEAR + SECOND // 2),
    ("1735689600.0004", NEW_YEAR),            # Loki keeps milliseconds, rounding
    ("1735689600.0005", NEW_YEAR + 1_000_000),
    (1735689600.25, NEW_YEAR + SECOND // 4),
    (" 1735689600 ", NEW_YEAR),
])
def test_unix_epochs_as_loki_reads_them(value, expected):
    assert parse_time(value) == expected


@pytest.mark.parametrize("text, expected", [
    ("now", NOW),
    ("now-1h", NOW - HOUR),
    ("now+5m", NOW + 5 * MINUTE),
    ("now - 1h30m", NOW - HOUR - 30 * MINUTE),
    ("now-1.5h", NOW - HOUR - 30 * MINUTE),
    ("now-7d", NOW - 7 * 24 * HOUR),
])
def test_relative_to_now(text, expected):
    assert parse_time(text, now=NOW) == expected


def test_now_defaults_to_the_clock():
    before = now_ns()
    assert before <= parse_time("now") <= now_ns()


@pytest.mark.parametrize("bad", [
    "", "yesterday", "now-", "now-1x", "now*2", "2025-01-01", "2025-01-01 00:00:00Z",
    "2025-13-01T00:00:00Z", "2025-02-30T00:00:00Z", "2025-01-01T00:00:00+25:00",
    "2025-01-01T00:00:00.1234567891Z", "1e9", "nan", True,
])
def test_bad_input_names_itself_in_one_line(bad):
    with pytest.raises(ValueError) as caught:
        parse_time(bad)
    message = str(caught.value)
    assert repr(bad) in message
    assert "\n" not in message


def test_since():
    assert since("1h", NOW) == NOW - HOUR
    assert since("90m", NOW) == NOW - 90 * MINUTE
    before = now_ns()
    assert before - HOUR <= since("1h") <= now_ns() - HOUR
    with pytest.raises(ValueError, match="'soon'"):
        since("soon", NOW)


@pytest.mark.parametrize("ns, text", [
    (NEW_YEAR, "2025-01-01T00:00:00Z"),
    (NEW_YEAR + SECOND // 2, "2025-01-01T00:00:00.5Z"),
    (NEW_YEAR + 1, "2025-01-01T00:00:00.000000001Z"),
    (NEW_YEAR + 120_000_000, "2025-01-01T00:00:00.12Z"),
    (0, "1970-01-01T00:00:00Z"),
    (-1, "1969-12-31T23:59:59.999999999Z"),
])
def test_format_time(ns, text):
    assert format_time(ns) == text
    assert parse_time(text) == ns
