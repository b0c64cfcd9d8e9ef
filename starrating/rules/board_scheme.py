"""What a village's public board shows (DESIGN.md §16, 村务公开): the ten-star results, the
cadres' pledges, the cadres' results, each cadre's pay standard and pay result, and the
党员星级榜 (each member's current stars between assessments, §15). Every item
is on by default, as the rules on 村务公开 require; a township may turn one off in its scheme
(the paper board in the village then carries it)."""

from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from typing import Any


@dataclass(frozen=True)
class BoardScheme:
    tenstar: bool = True
    pledges: bool = True
    cadre_results: bool = True
    pay_standards: bool = True  # each cadre's 基本报酬 standard, beside their result
    pay_results: bool = True  # each cadre's 应发报酬 as the appraisal worked it out
    star_standing: bool = True  # 党员星级榜: current stars, 摘星 / 升星 counts (§15)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "BoardScheme":
        """The settings back; one left out (a scheme older than it) is on."""
        return cls(**{f.name: bool(data[f.name]) for f in fields(cls) if f.name in data})


BOARD_LABELS = {
    "tenstar": "党员十星级评定结果",
    "pledges": "村干部公开承诺",
    "cadre_results": "村干部考核结果",
    "pay_standards": "村干部报酬标准（基本报酬）",
    "pay_results": "村干部报酬兑现结果（应发报酬）",
    "star_standing": "党员星级榜（现有星级及摘星、升星情况）",
}

#: what the board says where the scheme keeps an item off it
OFF_BOARD = "按乡镇方案，本项不在网上公示栏公开，请查看村务公开栏或向村党支部了解"
