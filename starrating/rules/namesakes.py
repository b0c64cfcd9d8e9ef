"""Telling namesakes apart on one list: the name alone, or the name and a detail safe to publish.

Two 孙学军 on one ballot, board or list must not look the same. The detail comes from what may
be shown to anyone: the 组别 (村民小组), the year of birth (never the date), or the row's number in
the list — never an ID number or a phone number.
"""

import unicodedata
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Listed:
    """One row of a list as the namesake rule sees it.

    person is the same for every row of one person (a member who is also a cadre on one ballot):
    rows of one person are never each other's namesakes. number is the row's number in the list.
    """

    name: str
    person: Hashable
    number: int
    group: str | None = None
    birth_year: int | None = None


@dataclass(frozen=True)
class Label:
    """What a list shows for a row: the name, and the detail in brackets after it, if any."""

    name: str
    detail: str | None = None

    def __str__(self) -> str:
        return f"{self.name}（{self.detail}）" if self.detail else self.name


def name_key(name: str) -> str:
    """A name as compared: 孙学军 and a pasted "孙学军 " (or full-width look-alikes) are one."""
    return unicodedata.normalize("NFKC", name).strip()


def repeated_names(names: Iterable[str]) -> set[str]:
    """The names (as name_key gives them) that occur more than once in the list."""
    seen: set[str] = set()
    repeated: set[str] = set()
    for name in map(name_key, names):
        (repeated if name in seen else seen).add(name)
    return repeated


def _group(row: Listed) -> str | None:
    return row.group


def _born(row: Listed) -> str | None:
    return f"{row.birth_year}年生" if row.birth_year else None


def _group_and_born(row: Listed) -> str | None:
    group, born = _group(row), _born(row)
    return f"{group}，{born}" if group and born else None


def _number(row: Listed) -> str | None:
    return f"序号 {row.number}"


# In this order: the first that tells every bearer of the name apart is used for all of them.
DETAILS: tuple[Callable[[Listed], str | None], ...] = (_group, _born, _group_and_born, _number)


def _detail_for(bearers: list[Listed]) -> Callable[[Listed], str | None]:
    """The first kind of detail that every bearer has and no two share."""
    for detail in DETAILS:
        shown = [detail(row) for row in bearers]
        if all(shown) and len(set(shown)) == len(shown):
            return detail
    return _number


def labels(rows: Sequence[Listed]) -> tuple[str, ...]:
    """Each row's label as text (see labelled)."""
    return tuple(str(label) for label in labelled(rows))


def labelled(rows: Sequence[Listed]) -> tuple[Label, ...]:
    """Each row's label: the name alone when no other person on the list bears it. Otherwise the
    name and, the same kind for all who bear it, the first detail that tells them all apart:
    the 组别 (only when each has one and they all differ), else the year of birth, else both,
    else the row's number in the list: 孙学军（三组）, 孙学军（1968年生）, 孙学军（序号 12）."""
    firsts: dict[Hashable, Listed] = {}
    for row in rows:
        firsts.setdefault(row.person, row)  # a person on the list twice: their first row
    bearers: dict[str, list[Listed]] = defaultdict(list)
    for row in firsts.values():
        bearers[name_key(row.name)].append(row)
    details = {name: _detail_for(people) for name, people in bearers.items() if len(people) > 1}
    shown = []
    for row in rows:
        detail = details.get(name_key(row.name))
        text = detail(firsts[row.person]) if detail else None
        shown.append(Label(row.name.strip(), text) if text else Label(row.name))
    return tuple(shown)
