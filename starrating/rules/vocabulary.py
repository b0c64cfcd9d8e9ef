"""The domain's closed vocabularies, with the Chinese labels the pages and sheets show."""

from enum import StrEnum
from typing import TypeVar

E = TypeVar("E", bound=StrEnum)


class Role(StrEnum):
    TOWNSHIP = "township"
    SECRETARY = "secretary"
    COMMITTEE = "committee"
    TELLER = "teller"
    CADRE = "cadre"
    SUPERVISOR = "supervisor"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]

    @property
    def is_village_role(self) -> bool:
        return self in VILLAGE_ROLES


ROLE_LABELS = {
    Role.TOWNSHIP: "乡镇审核人",
    Role.SECRETARY: "支部书记",
    Role.COMMITTEE: "支委",
    Role.TELLER: "计票人",
    Role.CADRE: "村干部",
    Role.SUPERVISOR: "监委会成员",
}
VILLAGE_ROLES = frozenset(
    {Role.SECRETARY, Role.COMMITTEE, Role.TELLER, Role.CADRE, Role.SUPERVISOR}
)


class PostKind(StrEnum):
    """What a cadre's post is in law (村民委员会组织法): a 村委会 member, a Party post, or other
    paid staff. A 书记 who is also 村委会主任 (一肩挑) is a 村委会 member."""

    VILLAGE_COMMITTEE = "village_committee"
    PARTY = "party"
    STAFF = "staff"

    @property
    def label(self) -> str:
        return {
            PostKind.VILLAGE_COMMITTEE: "村民委员会成员",
            PostKind.PARTY: "党组织成员",
            PostKind.STAFF: "其他",
        }[self]


class Gender(StrEnum):
    MALE = "male"
    FEMALE = "female"

    @property
    def label(self) -> str:
        return {Gender.MALE: "男", Gender.FEMALE: "女"}[self]


class Membership(StrEnum):
    """正式 (full) or 预备 (probationary) Party member."""

    FULL = "full"
    PROBATIONARY = "probationary"

    @property
    def label(self) -> str:
        return {Membership.FULL: "正式党员", Membership.PROBATIONARY: "预备党员"}[self]


class MemberCategory(StrEnum):
    ORDINARY = "ordinary"
    MOBILE = "mobile"
    ELDERLY_INFIRM = "elderly_infirm"

    @property
    def label(self) -> str:
        return {
            MemberCategory.ORDINARY: "普通",
            MemberCategory.MOBILE: "流动",
            MemberCategory.ELDERLY_INFIRM: "年老体弱",
        }[self]


class MemberStatus(StrEnum):
    """On the roster, transferred out (转出) or deceased (去世): never deleted."""

    ACTIVE = "active"
    TRANSFERRED = "transferred"
    DECEASED = "deceased"

    @property
    def label(self) -> str:
        return {
            MemberStatus.ACTIVE: "在册",
            MemberStatus.TRANSFERRED: "已转出",
            MemberStatus.DECEASED: "已去世",
        }[self]


def from_label(enum: type[E], label: str) -> E | None:
    """The member of enum whose Chinese label (or short label) is label, else None."""
    wanted = label.strip()
    for item in enum:
        full = getattr(item, "label", str(item))
        if wanted in (full, full.removesuffix("党员")):
            return item
    return None
