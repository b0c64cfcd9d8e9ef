"""Who votes in a satisfaction ballot, and which quorum their meeting needs."""

from enum import StrEnum

from starrating.rules.quorum import QuorumKind, QuorumRule


class Electorate(StrEnum):
    VILLAGERS = "villagers"
    HOUSEHOLDS = "households"
    REPRESENTATIVES = "representatives"
    PARTY_MEMBERS = "party_members"

    @property
    def label(self) -> str:
        return {
            Electorate.VILLAGERS: "18岁以上村民",
            Electorate.HOUSEHOLDS: "户代表",
            Electorate.REPRESENTATIVES: "村民代表",
            Electorate.PARTY_MEMBERS: "党员",
        }[self]

    @property
    def quorum(self) -> QuorumRule:
        """村民会议 and 党员大会: half of those eligible; 户代表 and 村民代表会议: two thirds."""
        kind = {
            Electorate.VILLAGERS: QuorumKind.ELIGIBLE_HALF,
            Electorate.HOUSEHOLDS: QuorumKind.HOUSEHOLDS_TWO_THIRDS,
            Electorate.REPRESENTATIVES: QuorumKind.REPRESENTATIVES_TWO_THIRDS,
            Electorate.PARTY_MEMBERS: QuorumKind.ELIGIBLE_HALF,
        }[self]
        return QuorumRule.for_kind(kind)


class RoundState(StrEnum):
    """draft (set up, codes printed) → open (voting) → closed (tallied)."""

    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"

    @property
    def label(self) -> str:
        return {RoundState.DRAFT: "准备中", RoundState.OPEN: "投票中", RoundState.CLOSED: "已结束"}[
            self
        ]


class Section(StrEnum):
    MEMBERS = "members"
    CADRES = "cadres"

    @property
    def label(self) -> str:
        return {Section.MEMBERS: "党员群众满意度测评", Section.CADRES: "村干部民主测评"}[self]

    @property
    def approval_rate_label(self) -> str:
        """The name of (满意 + 基本满意) / 有效票: a member's 认可率 (群众认可星), a cadre's
        综合满意率. 满意率 is 满意 / 有效票 alone, for both (DECISIONS.md)."""
        return {Section.MEMBERS: "认可率", Section.CADRES: "综合满意率"}[self]
