"""Result versions (DESIGN.md §16): what is published, submitted and approved is a stored,
numbered version of a village-year's results, one sequence per part (the ten-star results
and the cadres' results). Who may sign a version off, and what a version's life allows."""

from enum import StrEnum

from starrating.rules.vocabulary import Role


class Part(StrEnum):
    TENSTAR = "tenstar"
    CADRES = "cadres"

    @property
    def label(self) -> str:
        return {Part.TENSTAR: "十星级评定结果", Part.CADRES: "村干部考核结果"}[self]

    @property
    def short_label(self) -> str:
        """For a sheet's name: 十星评定, 干部考核."""
        return {Part.TENSTAR: "十星评定", Part.CADRES: "干部考核"}[self]


def signing_role(*, has_supervisors: bool) -> Role:
    """Who signs a version off before it goes public: a member of the village's 村务监督委员会
    once it is established; until then a committee member other than the one who prepared it."""
    return Role.SUPERVISOR if has_supervisors else Role.COMMITTEE


def sign_off_problem(
    *,
    signer_role: Role,
    signer_id: int,
    maker_id: int,
    published: bool,
    latest: bool,
    has_supervisors: bool = False,
    on_committee: bool = False,
) -> str | None:
    """Why that user may not sign this version off, or None when they may. has_supervisors:
    the village's 监委会 is established; on_committee: the signer is one of its members."""
    if signer_id == maker_id:
        return "生成公示稿的人不能给自己生成的公示稿签字，请另一位支委审核签字"
    if has_supervisors:
        if signer_role is not signing_role(has_supervisors=True) or not on_committee:
            return "本村已设立村务监督委员会：公示稿须由监委会成员审核签字，支委不再代签"
    elif signer_role is Role.SUPERVISOR:
        return (
            "本村村务监督委员会还没有组建完成：组建完成（由支部书记确认名单）之前，"
            "公示稿由另一位支委审核签字"
        )
    elif signer_role is not signing_role(has_supervisors=False):
        return "公示稿须由村务监督委员会成员（尚未设立的，由另一位支委）审核签字"
    if published:
        return "这一版已经公示，不需要再签字"
    if not latest:
        return "这一版已被更新的公示稿取代，请审核最新一版"
    return None


def publish_problem(*, signed: bool, unchanged: bool) -> str | None:
    """Why a prepared version may not go public now, or None."""
    if not signed:
        return (
            "公示稿尚未审核签字：须由村务监督委员会成员（尚未设立的，由另一位支委）签字后才能公示"
        )
    if not unchanged:
        return "审核签字之后评定结果又有变化：请重新生成公示稿，再请审核签字"
    return None
