"""The life of a branch's yearly ten-star assessment (DESIGN.md §5)."""

from enum import StrEnum


class YearState(StrEnum):
    """marking → publicity → submitted → approved, and submitted → returned → marking.

    A year that is not opened has no record at all (the "draft" of DESIGN.md §5): opening
    fixes the roster and the scheme and starts marking at once.
    """

    MARKING = "marking"
    PUBLICITY = "publicity"
    SUBMITTED = "submitted"
    APPROVED = "approved"
    RETURNED = "returned"

    @property
    def label(self) -> str:
        return {
            YearState.MARKING: "评分中",
            YearState.PUBLICITY: "公示中",
            YearState.SUBMITTED: "已报乡镇",
            YearState.APPROVED: "已审核通过",
            YearState.RETURNED: "已退回",
        }[self]
