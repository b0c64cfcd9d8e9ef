"""The circuit breaker in front of Redis, on a clock moved by hand."""

from starrating.ratelimit.breaker import CircuitBreaker


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_store_that_answers_is_always_tried():
    breaker = CircuitBreaker(pause=30, clock=Clock())
    assert breaker.allows()
    assert breaker.succeeded() is False  # nothing to report
    assert breaker.allows() and not breaker.is_open


def test_after_a_failure_the_store_is_skipped_for_the_pause_then_tried_again():
    clock = Clock()
    breaker = CircuitBreaker(pause=30, clock=clock)
    assert breaker.failed() is True  # an outage starts: log it
    clock.now += 29.9
    assert not breaker.allows()
    clock.now += 0.1
    assert breaker.allows()


def test_an_outage_is_reported_once_however_often_the_retry_fails():
    clock = Clock()
    breaker = CircuitBreaker(pause=30, clock=clock)
    reports = [breaker.failed()]
    for _ in range(5):
        clock.now += 30
        assert breaker.allows()
        reports.append(breaker.failed())
    assert reports == [True, False, False, False, False, False]
    assert breaker.down_since == 1000.0


def test_a_failed_retry_starts_a_new_pause():
    clock = Clock()
    breaker = CircuitBreaker(pause=30, clock=clock)
    breaker.failed()
    clock.now += 31
    breaker.failed()
    clock.now += 29
    assert not breaker.allows()


def test_the_first_success_after_an_outage_is_reported_once_and_closes_it():
    clock = Clock()
    breaker = CircuitBreaker(pause=30, clock=clock)
    breaker.failed()
    clock.now += 30
    assert breaker.succeeded() is True  # back: log it
    assert breaker.succeeded() is False
    assert breaker.allows() and not breaker.is_open and breaker.down_since is None
    assert breaker.failed() is True  # the next outage is reported again
