"""A form that edits one stored value carries a fingerprint of the value it showed; saving
checks it against the value stored now, so that a second tab, or a colleague who saved in
between, is never silently overwritten (issue 14). For records with a version column the
version does this (Member, Cadre, PledgeItem, QuarterlyReport)."""

from hashlib import sha256


def fingerprint(value: object) -> str:
    """A short fingerprint of a shown value; "" for no value yet."""
    if value is None:
        return ""
    return sha256(str(value).encode()).hexdigest()[:16]


def changed_since_shown(current: object, shown: str | None) -> bool:
    """Whether the stored value is no longer the one the form showed. A form sent without a
    fingerprint (None) is not checked."""
    return shown is not None and shown != fingerprint(current)
