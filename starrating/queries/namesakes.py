"""The names a list shows, namesakes told apart (rules/namesakes.py), for any list of subjects.

A page gets its list's labels in one call (the template global `namesakes`), then one label per
row. A list without namesakes costs no query; with namesakes, a ballot's subjects cost one query
for the facts the rule may show (the 组别 and the birth year). Members, and cadres' member
records, are read from the rows given: load them with the list (active_cadres does).
"""

from collections.abc import Hashable, Iterable
from datetime import date

from markupsafe import Markup
from sqlalchemy import func, select

from starrating.extensions import db
from starrating.models import AssessedMember, BallotSubject, Cadre, Member
from starrating.rules.namesakes import Label, Listed, labelled, name_key, repeated_names

Listable = AssessedMember | BallotSubject | Cadre | Member
# what the rule may show of a person: (person, 组别, birth date)
_Facts = tuple[Hashable, str | None, date | None]


class Labels:
    """The label of each row of one list; a row the list did not hold shows its name."""

    def __init__(self, by_row: dict[tuple[str, int], Label]) -> None:
        self._by_row = by_row

    def __call__(self, item: Listable) -> Markup:
        """The label for a page: the detail in a span of its own (class namesake), which the
        style sheets set smaller and let wrap, so a narrow column stays narrow."""
        label = self.label(item)
        if label.detail is None:
            return Markup("{}").format(label.name)
        return Markup('{}<span class="namesake">（{}）</span>').format(label.name, label.detail)

    def label(self, item: Listable) -> Label:
        return self._by_row.get(_key(item)) or Label(_name(item))

    def text(self, item: Listable) -> str:
        return str(self.label(item))


def namesake_labels(items: Iterable[Listable]) -> Labels:
    """The labels of one list's rows (in the list's order: a row's number is its place)."""
    rows = list(items)
    repeated = repeated_names(_name(item) for item in rows)
    if not repeated:
        return Labels({})
    numbered = [
        (number, item)
        for number, item in enumerate(rows, start=1)
        if name_key(_name(item)) in repeated
    ]
    facts = _facts([item for _, item in numbered])
    listed = []
    for number, item in numbered:
        person, group, born = facts[_key(item)]
        birth_year = born.year if born else None
        listed.append(Listed(_name(item), person, number, group, birth_year))
    return Labels(
        {_key(item): label for (_, item), label in zip(numbered, labelled(listed), strict=True)}
    )


def _name(item: Listable) -> str:
    return item.member.name if isinstance(item, AssessedMember) else item.name


def _key(item: Listable) -> tuple[str, int]:
    return type(item).__name__, item.id


def _member_facts(member: Member) -> _Facts:
    return ("member", member.id), member.village_group, member.birth_date


def _facts(items: list[Listable]) -> dict[tuple[str, int], _Facts]:
    """Each row's person, 组别 and birth date; members are at hand, the others are loaded."""
    found: dict[tuple[str, int], _Facts] = {}
    for item in items:
        if isinstance(item, Member):
            found[_key(item)] = _member_facts(item)
        elif isinstance(item, AssessedMember):
            found[_key(item)] = _member_facts(item.member)
        elif isinstance(item, Cadre):
            member = item.member
            found[_key(item)] = (
                _member_facts(member) if member else (("cadre", item.id), None, None)
            )
    subject_ids = [item.id for item in items if isinstance(item, BallotSubject)]
    if subject_ids:
        found |= {("BallotSubject", i): facts for i, facts in _subject_facts(subject_ids).items()}
    return found


def _subject_facts(subject_ids: list[int]) -> dict[int, _Facts]:
    """A ballot's rows: a member of the year, or a cadre (the same person as a member when the
    cadre's record names one)."""
    member_id = func.coalesce(AssessedMember.member_id, Cadre.member_id)
    rows = db.session.execute(
        select(BallotSubject.id, member_id, Cadre.id, Member.village_group, Member.birth_date)
        .outerjoin(AssessedMember, AssessedMember.id == BallotSubject.assessed_member_id)
        .outerjoin(Cadre, Cadre.id == BallotSubject.cadre_id)
        .outerjoin(Member, Member.id == member_id)
        .where(BallotSubject.id.in_(subject_ids))
    )
    return {
        subject: (_person(member, cadre=cadre, subject=subject), group, born)
        for subject, member, cadre, group, born in rows
    }


def _person(member: int | None, *, cadre: int | None, subject: int | None = None) -> Hashable:
    """Who a row is: the member when known, else the cadre, else the ballot row itself."""
    if member is not None:
        return "member", member
    return ("cadre", cadre) if cadre is not None else ("subject", subject)
