"""The order in which a township's pages list its villages."""

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class VillageToList:
    """A village as the ordering sees it: its name, the name read out in pinyin (one syllable
    per character, lower case, tone as a digit: 西岙村 → xi1 ao4 cun1), and whether its year
    is waiting for the township's review."""

    id: int
    name: str
    spelled: tuple[str, ...]
    awaiting_review: bool = False


def township_order(villages: Sequence[VillageToList]) -> list[int]:
    """Villages waiting for the township's review come first; within each part they go by
    pinyin, syllable by syllable as a Chinese dictionary orders them (北塘村 before 东沙村
    before 西岙村; the tone after the letters), two names that read alike by their characters.
    Returns the villages' ids in that order."""
    ordered = sorted(villages, key=lambda v: (not v.awaiting_review, v.spelled, v.name, v.id))
    return [village.id for village in ordered]
