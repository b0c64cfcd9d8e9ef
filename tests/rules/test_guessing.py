"""How long an address waits after wrong ballot codes, and when the secretary is alerted."""

import pytest

from starrating.rules.guessing import Burst, burst, wait_before_next_guess, wait_words

NOW = 10_000.0


def wait(times: list[float], now: float = NOW) -> int:
    return wait_before_next_guess(times=times, now=now)


def test_five_wrong_codes_in_ten_minutes_cost_no_wait():
    assert wait([]) == 0
    assert wait([NOW] * 4) == 0


@pytest.mark.parametrize(
    ("counted", "seconds"), [(5, 2), (6, 4), (7, 8), (8, 16), (9, 30), (12, 30), (19, 30)]
)
def test_after_that_each_wrong_code_waits_twice_as_long_up_to_thirty_seconds(counted, seconds):
    assert wait([NOW] * counted) == seconds


def test_the_wait_counts_from_the_latest_wrong_code():
    assert wait([NOW - 100] * 4 + [NOW - 1], now=NOW) == 1
    assert wait([NOW - 100] * 4 + [NOW - 3], now=NOW) == 0


def test_the_twentieth_within_ten_minutes_starts_five_minutes():
    times = [NOW - 590 + i * 30 for i in range(20)]  # the latest at NOW - 20
    assert wait(times) == 300 - 20


def test_the_five_minutes_hold_though_the_oldest_codes_leave_the_window():
    times = [NOW - 590 + i * 30 for i in range(20)]
    assert wait(times, now=NOW + 100) == 300 - 120


def test_twenty_spread_over_more_than_ten_minutes_start_no_block():
    times = [NOW - 1200 + i * 60 for i in range(20)]  # one a minute, the latest a minute ago
    assert wait(times) == 0


def test_old_wrong_codes_are_forgotten():
    assert wait([NOW - 601] * 10) == 0


def test_a_wait_reads_in_seconds_then_minutes():
    assert wait_words(2) == "2 秒"
    assert wait_words(119) == "119 秒"
    assert wait_words(120) == "2 分钟"
    assert wait_words(281) == "5 分钟"


def test_a_burst_counts_codes_addresses_and_links():
    tags = {"typed:a": 20, "link:a": 5, "typed:b": 4, "link:c": 1}
    assert burst(tags, threshold=30) == Burst(count=30, addresses=3, from_links=6)
    assert burst(tags, threshold=31) is None
