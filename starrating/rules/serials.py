"""Sheet numbers (第 N 号) as a secretary types them for a failed print run: a range ("12-20"),
a list ("3, 7, 9"), or both ("3, 7, 12-20"), in half- or full-width characters."""

import re
import unicodedata
from collections.abc import Iterable

MAX_SERIALS = 500  # one print job at most, as when generating
EXAMPLE = "如 12-20 或 3, 7, 9"
_SEPARATORS = re.compile(r"[,;、\s]+")
_RANGE = re.compile(r"^(\d{1,9})\s*(?:-|–|—|~|至|到)\s*(\d{1,9})$")
_ONE = re.compile(r"^\d{1,9}$")


class BadSerials(ValueError):
    """The typed numbers cannot be read; message says why, in the secretary's words."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def parse_serials(typed: str) -> list[int]:
    """The sheet numbers typed, each once, in order. A range is from-to, both included, the
    smaller first; numbers start at 1; at most MAX_SERIALS at once."""
    text = unicodedata.normalize("NFKC", typed).strip()
    text = re.sub(r"\s*(-|–|—|~|至|到)\s*", r"\1", text)  # "12 - 20" is one range
    parts = [part for part in _SEPARATORS.split(text) if part]
    if not parts:
        raise BadSerials(f"请填写要作废的选票编号，{EXAMPLE}")
    found: set[int] = set()
    for part in parts:
        found |= _one_part(part)
        if len(found) > MAX_SERIALS:
            raise BadSerials(f"一次最多作废 {MAX_SERIALS} 张，请分几次作废")
    return sorted(found)


def _one_part(part: str) -> set[int]:
    if _ONE.match(part):
        first = last = int(part)
    elif matched := _RANGE.match(part):
        first, last = int(matched.group(1)), int(matched.group(2))
        if first > last:
            raise BadSerials(f"「{part}」的起止写反了：范围请从小写到大，如 {last}-{first}")
    else:
        raise BadSerials(
            f"看不懂「{part}」：编号请写数字，范围写成 12-20，多个编号用逗号隔开（{EXAMPLE}）"
        )
    if first < 1:
        raise BadSerials("选票编号从 1 开始，没有第 0 号")
    if last - first >= MAX_SERIALS:
        raise BadSerials(f"一次最多作废 {MAX_SERIALS} 张，请分几次作废")
    return set(range(first, last + 1))


def describe_serials(serials: Iterable[int]) -> str:
    """Numbers as a person writes them: runs of three or more as a range ("3、7、12–20")."""
    ordered = sorted(set(serials))
    runs: list[list[int]] = []
    for serial in ordered:
        if runs and serial == runs[-1][-1] + 1:
            runs[-1].append(serial)
        else:
            runs.append([serial])
    words = []
    for run in runs:
        if len(run) >= 3:
            words.append(f"{run[0]}–{run[-1]}")
        else:
            words.extend(str(serial) for serial in run)
    return "、".join(words)
