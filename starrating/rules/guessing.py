"""Wrong ballot codes: how long an address waits before its next one counts, and when a village's
secretary is told that someone may be guessing.

A code is 10 characters of a 31-letter alphabet (about 49.5 bits) and a round prints a few
hundred: guessing one is hopeless, so nothing here ever refuses a valid code or stops a village.
The waits only slow a careless guesser and spare the server; the alert tells the people who can
act (the secretary, then the township).
"""

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class GuessPolicy:
    window_seconds: int = 10 * 60  # wrong codes counted per address over this long
    free: int = 5  # typing slips behind one village Wi-Fi: no wait at all
    first_wait: int = 2  # seconds after the first wrong code past `free`, doubling each time
    longest_wait: int = 30
    block_after: int = 20  # wrong codes within the window that start the block
    block_seconds: int = 5 * 60

    @property
    def memory_seconds(self) -> int:
        """How far back an address's wrong codes matter: a block looks back a window from
        its start and lasts its own length."""
        return self.window_seconds + self.block_seconds


@dataclass(frozen=True)
class AlertPolicy:
    window_seconds: int = 60 * 60
    threshold: int = 30  # wrong codes in the window, from any addresses


DEFAULT_GUESSING = GuessPolicy()
DEFAULT_ALERT = AlertPolicy()


def wait_before_next_guess(
    *, times: Sequence[float], now: float, policy: GuessPolicy = DEFAULT_GUESSING
) -> int:
    """Seconds an address must still wait before its next wrong code counts (0: now), from the
    times its wrong codes counted.

    The first 5 wrong codes in 10 minutes are free; after that the next one waits 2, 4, 8 … up
    to 30 seconds after the latest; the 20th within 10 minutes starts a 5-minute wait. A valid
    code never waits."""
    if not times:
        return 0
    latest = max(times)
    recent = sum(1 for t in times if t > now - policy.window_seconds)
    if sum(1 for t in times if t > latest - policy.window_seconds) >= policy.block_after:
        wait = policy.block_seconds
    elif recent >= policy.free:
        wait = min(policy.first_wait * 2 ** (recent - policy.free), policy.longest_wait)
    else:
        return 0
    return max(0, math.ceil(latest + wait - now))


def wait_words(seconds: int) -> str:
    """A wait as a villager reads it: "45 秒" under two minutes, else whole minutes."""
    if seconds < 120:
        return f"{seconds} 秒"
    return f"{math.ceil(seconds / 60)} 分钟"


@dataclass(frozen=True)
class Burst:
    """Many wrong codes (or filings) at one village within the alert's window."""

    count: int
    addresses: int  # distinct client addresses among them
    from_links: int = 0  # of which opened by a link (a scan, an <img>), not typed


def burst(tags: Mapping[str, int], *, threshold: int) -> Burst | None:
    """The village's hits by tag ("<kind>:<address digest>") if they reach the threshold.

    Links count as signals, like typed codes: a page that makes phones open wrong links is as
    much the secretary's business as someone typing."""
    count = sum(tags.values())
    if count < threshold:
        return None
    addresses = {tag.partition(":")[2] for tag in tags}
    links = sum(n for tag, n in tags.items() if tag.partition(":")[0] == "link")
    return Burst(count=count, addresses=len(addresses), from_links=links)
