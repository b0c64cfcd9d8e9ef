"""The 村务监督委员会 and conflicts of interest (DESIGN.md §14, 村民委员会组织法 §32–33).

Who may sit on the 监委会: not a 村委会 member, not a cadre's listed close relative. Who may key,
scrutinise or certify a round's cadre section: nobody who is one of its subjects — a subject
cadre's own account (the secretary's account, when the secretary is that cadre) or the account
of a relative listed on a subject cadre's record. Pure: the callers load the records.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from starrating.rules.roster import clean_name
from starrating.rules.vocabulary import PostKind

MIN_MEMBERS, MAX_MEMBERS = 3, 5


def same_name(one: str, other: str) -> bool:
    """Two names as kept are one (张　三 and 张三)."""
    return clean_name(one) == clean_name(other)


@dataclass(frozen=True)
class Relative:
    """A close relative (近亲属) listed on a cadre's record; the account is optional."""

    name: str
    relation: str = ""
    user_id: int | None = None


@dataclass(frozen=True)
class CadreRecord:
    name: str
    post: str
    kind: PostKind | None = None
    user_id: int | None = None
    relatives: tuple[Relative, ...] = field(default_factory=tuple)


def _relation(relative: Relative) -> str:
    return f"（{relative.relation}）" if relative.relation else ""


def section_conflict(user_id: int, cadres: Iterable[CadreRecord]) -> str | None:
    """Why the user may not key, scrutinise or certify a cadre section whose subjects are
    cadres, or None. Matched by the linked accounts of the records."""
    for cadre in cadres:
        if cadre.user_id is not None and cadre.user_id == user_id:
            return (
                f"您是本次村干部测评的对象「{cadre.name}」（{cadre.post}）本人，"
                "不能录入、监票或确认本次测评：请由与测评对象无利害关系的人办理"
            )
        for relative in cadre.relatives:
            if relative.user_id is not None and relative.user_id == user_id:
                return (
                    f"您是本次村干部测评对象「{cadre.name}」（{cadre.post}）登记的近亲属"
                    f"{_relation(relative)}，不能录入、监票或确认本次测评："
                    "请由与测评对象无利害关系的人办理"
                )
    return None


def _is_person(user_id: int, name: str, linked: int | None, listed_name: str) -> bool:
    """Whether the account (user_id, its display name) is the person on a record: by the
    record's linked account when it has one, else by name."""
    if linked is not None:
        return linked == user_id
    return same_name(name, listed_name)


NAMESAKE_HINT = (
    "如果只是同名的另一个人，请乡镇在其账号的显示名中加以区分（如「王芳（东组）」）后再添加"
)


def member_problem(user_id: int, name: str, cadres: Iterable[CadreRecord]) -> str | None:
    """Why the account may not sit on the 监委会, or None (组织法 §32: 村委会 members and their
    close relatives may not; here also a close relative of any cadre, as listed)."""
    for cadre in cadres:
        if cadre.kind is PostKind.VILLAGE_COMMITTEE and _is_person(
            user_id, name, cadre.user_id, cadre.name
        ):
            hint = "" if cadre.user_id == user_id else f"。{NAMESAKE_HINT}"
            return (
                f"「{name}」是村民委员会成员（{cadre.post}），"
                f"村民委员会成员不能担任村务监督委员会成员{hint}"
            )
        for relative in cadre.relatives:
            if _is_person(user_id, name, relative.user_id, relative.name):
                hint = "" if relative.user_id == user_id else f"。{NAMESAKE_HINT}"
                return (
                    f"「{name}」是村干部「{cadre.name}」（{cadre.post}）登记的近亲属"
                    f"{_relation(relative)}，村干部的近亲属不能担任村务监督委员会成员{hint}"
                )
    return None


def chair_warning(chair_name: str, secretary_names: Sequence[str]) -> str | None:
    """A chair who is the branch secretary is allowed, but warned against."""
    if any(same_name(chair_name, secretary) for secretary in secretary_names):
        return (
            f"主任「{chair_name}」是村党组织书记：村务监督委员会主任一般不由书记兼任，"
            "以免监督自己经手的事务，请慎重考虑"
        )
    return None


def complete_problem(members: int, chairs: int) -> str | None:
    """Why the committee cannot be saved as complete, or None."""
    if members < MIN_MEMBERS:
        return (
            f"村务监督委员会须有 {MIN_MEMBERS}–{MAX_MEMBERS} 名成员，现在只有 {members} 名："
            f"请再添加 {MIN_MEMBERS - members} 名"
        )
    if members > MAX_MEMBERS:
        return f"村务监督委员会最多 {MAX_MEMBERS} 名成员，现在有 {members} 名"
    if chairs != 1:
        return "请指定一名主任（村务监督委员会须有且只有一名主任）"
    return None


def add_problem(members: int) -> str | None:
    """Why one more member may not be added (a committee never exceeds its size)."""
    if members >= MAX_MEMBERS:
        return f"村务监督委员会最多 {MAX_MEMBERS} 名成员，已有 {members} 名：请先移除一名再添加"
    return None


def remove_problem(*, members: int, established: bool, is_chair: bool) -> str | None:
    """Why a member may not be removed now: an established committee keeps at least its
    minimum and always its chair (appoint the successor first)."""
    if established and is_chair:
        return "不能移除主任：请先指定另一名成员为主任，再移除"
    if established and members <= MIN_MEMBERS:
        return f"村务监督委员会至少 {MIN_MEMBERS} 名成员：请先添加接替的成员，再移除这一名"
    return None
