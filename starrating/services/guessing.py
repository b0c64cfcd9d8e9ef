"""Wrong ballot codes and bursts of objections, counted in the rate-limit store: the guessing
address is slowed, the village's secretary is alerted, and no village is ever blocked.

- record_wrong_code(): a typed wrong code counts toward its address's wait (rules/guessing.py);
  a wrong code in a link (a QR scan, or any page's <img> that makes a phone open one) is only a
  soft signal, for the alert. Both go to the village's log.
- village_alert(): the last hour's wrong codes at a village, if past the threshold.
- record_filing() / filing_alert(): the same log and alert for objections filed on the board.

Addresses are kept only as a keyed digest (enough to count them, not to read them back).
The caller commits; on a GET inside database.write_phase().
"""

import hashlib
import hmac

from flask import current_app

from starrating import ratelimit
from starrating.rules.guessing import (
    DEFAULT_ALERT,
    DEFAULT_GUESSING,
    Burst,
    burst,
    wait_before_next_guess,
)

# hits is the block's count; the log keeps what the rule looks back on
WRONG_CODES_PER_ADDRESS = ratelimit.Limit(
    hits=DEFAULT_GUESSING.block_after, seconds=DEFAULT_GUESSING.memory_seconds
)
VILLAGE_LOG = ratelimit.Limit(hits=DEFAULT_ALERT.threshold, seconds=DEFAULT_ALERT.window_seconds)
FILINGS_ALERT = 20  # objections per village in the hour; a village sees a handful in a year


def address_digest(address: str | None) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    digest = hmac.new(key, f"address:{address or '-'}".encode(), hashlib.sha256)
    return digest.hexdigest()[:16]


def _address_key(address: str | None) -> str:
    return f"guess:code:addr:{address_digest(address)}"


def _village_key(village_id: int) -> str:
    return f"guess:code:village:{village_id}"


def wrong_code_wait(address: str | None) -> int:
    """Seconds this address must still wait before its next wrong code counts (0: none)."""
    times = ratelimit.hit_times(_address_key(address), WRONG_CODES_PER_ADDRESS)
    return wait_before_next_guess(times=times, now=ratelimit.now())


def record_wrong_code(*, village_id: int, address: str | None, soft: bool) -> int:
    """Count a wrong code; returns the seconds its address must still wait (0: it counted now).

    A wrong code typed while the address waits is not counted toward the wait (hammering does
    not lengthen it), but every wrong code goes to the village's log for the alert."""
    kind = "link" if soft else "typed"
    ratelimit.record_hit(
        _village_key(village_id), VILLAGE_LOG, tag=f"{kind}:{address_digest(address)}"
    )
    if soft:
        return 0
    wait = wrong_code_wait(address)
    if wait == 0:
        ratelimit.record_hit(_address_key(address), WRONG_CODES_PER_ADDRESS)
    return wait


def village_alert(village_id: int) -> Burst | None:
    """The last hour's wrong codes at the village, when past the alert's threshold."""
    tags = ratelimit.tag_counts(_village_key(village_id), VILLAGE_LOG)
    return burst(tags, threshold=DEFAULT_ALERT.threshold)


# --- objections on the board ----------------------------------------------------------------

FILINGS_LOG = ratelimit.Limit(hits=FILINGS_ALERT, seconds=60 * 60)


def _filings_key(village_id: int) -> str:
    return f"board:filed:village:{village_id}"


def record_filing(*, village_id: int, address: str | None) -> None:
    ratelimit.record_hit(
        _filings_key(village_id), FILINGS_LOG, tag=f"filed:{address_digest(address)}"
    )


def filing_alert(village_id: int) -> Burst | None:
    """The last hour's objections filed at the village, when unusually many."""
    return burst(
        ratelimit.tag_counts(_filings_key(village_id), FILINGS_LOG), threshold=FILINGS_ALERT
    )
