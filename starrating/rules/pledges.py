"""A cadre's yearly pledge: its states, and what a pledge sheet must satisfy."""

from collections.abc import Sequence
from decimal import Decimal
from enum import StrEnum

TOTAL_WEIGHT = 100


class PledgeState(StrEnum):
    """draft → confirmed → public; a public pledge is amended only with a reason."""

    DRAFT = "draft"
    CONFIRMED = "confirmed"
    PUBLIC = "public"

    @property
    def label(self) -> str:
        return {
            PledgeState.DRAFT: "草稿",
            PledgeState.CONFIRMED: "已确认",
            PledgeState.PUBLIC: "已公开承诺",
        }[self]


def weight_problems(weights: Sequence[int]) -> list[str]:
    """Each item weighs a whole number from 1 to 100, and the items of a pledge sum to 100."""
    problems = []
    if not weights:
        problems.append("承诺至少要有一项")
    if any(not 1 <= w <= TOTAL_WEIGHT for w in weights):
        problems.append(f"每项权重须在 1–{TOTAL_WEIGHT} 之间")
    total = sum(weights)
    if weights and total != TOTAL_WEIGHT:
        problems.append(
            f"各项权重合计须为 {TOTAL_WEIGHT}，现为 {total}（还差 {TOTAL_WEIGHT - total}）"
            if total < TOTAL_WEIGHT
            else f"各项权重合计须为 {TOTAL_WEIGHT}，现为 {total}（多了 {total - TOTAL_WEIGHT}）"
        )
    return problems


def progress_problems(progress: Decimal) -> list[str]:
    """A quarterly progress or a verified completion is a percentage from 0 to 100."""
    if not Decimal(0) <= progress <= Decimal(100):
        return [f"进度须在 0–100% 之间，现为 {progress}%"]
    return []
