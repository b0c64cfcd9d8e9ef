"""What a rate limit is, and what a store answers about one key."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Limit:
    """At most `hits` counted hits of one key within any `seconds` (a sliding window)."""

    hits: int
    seconds: int

    @property
    def minutes(self) -> int:
        return max(1, self.seconds // 60)

    @property
    def window_ms(self) -> int:
        return self.seconds * 1000


@dataclass(frozen=True)
class Window:
    """A key's counted hits within its window now: how many, the oldest and the newest (ms)."""

    count: int
    oldest_ms: int | None
    newest_ms: int | None


@dataclass(frozen=True)
class Slot:
    """One hit taken by acquire(): where it is kept, so that release() can give it back."""

    store: str  # "redis" or "database"
    key: str
    member: str


@dataclass(frozen=True)
class Taken:
    """A store's answer to acquire(): the slot, or how long until one frees (ms)."""

    slot: Slot | None
    retry_ms: int = 0
