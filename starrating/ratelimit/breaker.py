"""A per-process circuit breaker for the shared rate-limit store (Redis).

After a failure the store is skipped for `pause` seconds (the database counters serve meanwhile),
then tried again by the next call; a success closes it. Each transition is reported once, so a
worker logs an outage when it starts and when it ends, not on every request.
"""

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class CircuitBreaker:
    pause: float
    clock: Callable[[], float] = time.monotonic
    down_since: float | None = None  # by `clock`; None while the store answers
    retry_at: float = 0.0

    def __post_init__(self) -> None:
        self._lock = threading.Lock()

    @property
    def is_open(self) -> bool:
        return self.down_since is not None

    def allows(self) -> bool:
        """Whether to try the store now: always while it answers, else once the pause is over."""
        return self.down_since is None or self.clock() >= self.retry_at

    def failed(self) -> bool:
        """Skip the store for a pause; True when this failure starts an outage (log it)."""
        with self._lock:
            now = self.clock()
            self.retry_at = now + self.pause
            if self.down_since is None:
                self.down_since = now
                return True
            return False

    def succeeded(self) -> bool:
        """The store answered; True when this ends an outage (log it)."""
        with self._lock:
            if self.down_since is None:
                return False
            self.down_since = None
            self.retry_at = 0.0
            return True
