"""What makes a member's record plausible, whether typed in a form or read from a roster sheet."""

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from starrating.rules.vocabulary import Gender, MemberCategory, Membership

MIN_AGE = 18  # 党章: 年满十八岁
MAX_NAME_LENGTH = 40
MAX_GROUP_LENGTH = 20


@dataclass(frozen=True)
class MemberFacts:
    """What a form or a roster row says about a member."""

    name: str
    gender: Gender
    birth_date: date
    joined_on: date | None
    membership: Membership
    category: MemberCategory
    phone: str | None = None
    exempt_meeting_date: date | None = None
    exempt_reason: str | None = None
    note: str | None = None
    village_group: str | None = None  # 组别 / 村民小组, optional: tells namesakes apart

    def __post_init__(self) -> None:
        object.__setattr__(self, "name", clean_name(self.name))


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a record: the field (its Chinese column name) and why."""

    field: str
    message: str


def age_on(birth_date: date, day: date) -> int:
    """Whole years of age on day."""
    before_birthday = (day.month, day.day) < (birth_date.month, birth_date.day)
    return day.year - birth_date.year - int(before_birthday)


_MIDDLE_DOTS = str.maketrans("・‧•･∙⋅", "······")  # all typed for the · of 阿依古丽·买买提
_SPACES = re.compile(r"\s+")
_CJK_GAP = re.compile(r"(?<=[^\x00-\x7f])\s+|\s+(?=[^\x00-\x7f])")


def clean_name(name: str) -> str:
    """A name as kept, so that one person is one name: full-width letters as plain letters
    (NFKC, but CJK compatibility ideographs as typed: they are distinct characters of a name),
    no space next to a Chinese character (张　三 is 张三), single spaces between Latin words,
    every middle dot as ·."""
    plain = "".join(
        ch
        if unicodedata.name(ch, "").startswith("CJK COMPATIBILITY IDEOGRAPH")
        else unicodedata.normalize("NFKC", ch)
        for ch in name
    )
    plain = _CJK_GAP.sub("", plain.strip())
    return _SPACES.sub(" ", plain).translate(_MIDDLE_DOTS)


def name_problems(name: str) -> list[Problem]:
    """A name is letters (CJK of every extension included, and the other scripts written in
    China), with · between the parts of a name such as 阿依古丽·买买提: no digits, symbols,
    emoji or control characters, and not Latin letters alone ("NaN" is no member's name on a
    village roster) (DESIGN.md §9)."""
    if not name.strip():
        return [Problem("姓名", "姓名不能为空")]
    if len(name) > MAX_NAME_LENGTH:
        return [Problem("姓名", f"姓名不能超过 {MAX_NAME_LENGTH} 个字")]
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in name):
        return [Problem("姓名", "姓名含有不可见的控制字符")]
    parts = name.split("·")
    letters = all(
        part and all(ch == " " or unicodedata.category(ch)[0] in "LM" for ch in part)
        for part in parts
    )
    if letters and name.isascii():
        return [Problem("姓名", f"姓名「{name}」不对：请用汉字书写姓名")]
    if not letters:
        return [
            Problem(
                "姓名",
                f"姓名「{name}」不对：只能由汉字（或其他文字的字母）组成，"
                "复姓或少数民族姓名中间用「·」隔开，不能有数字、符号或表情",
            )
        ]
    return []


_BARE_NUMBER = re.compile(r"[0-9]{1,3}")


def village_group(text: str | None) -> str | None:
    """A 组别 as kept: trimmed, full-width digits made plain, and a bare number named as a group
    ("3" → "3组", as a clerk's spreadsheet often has it); blank means none."""
    if text is None:
        return None
    cleaned = unicodedata.normalize("NFKC", text).strip()
    if _BARE_NUMBER.fullmatch(cleaned):
        return f"{int(cleaned)}组"
    return cleaned or None


def group_problems(group: str | None) -> list[Problem]:
    """A 组别 is short plain text (it is shown beside a namesake's name, on ballots too)."""
    if group is None:
        return []
    if len(group) > MAX_GROUP_LENGTH:
        return [Problem("组别", f"组别不能超过 {MAX_GROUP_LENGTH} 个字")]
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in group):
        return [Problem("组别", "组别含有不可见的控制字符")]
    return []


def member_problems(
    *,
    birth_date: date,
    joined_on: date | None,
    category: MemberCategory,
    exempt_meeting_date: date | None,
    today: date,
) -> list[Problem]:
    """A member is at least 18, joined the Party after turning 18 and not in the future,
    and only a 年老体弱 member can be exempted (免评), by a 党员大会 held on a past date."""
    problems: list[Problem] = []
    if birth_date > today:
        problems.append(Problem("出生日期", "出生日期不能晚于今天"))
    elif age_on(birth_date, today) < MIN_AGE:
        problems.append(Problem("出生日期", f"未满 {MIN_AGE} 周岁，不能是党员"))
    if joined_on is not None:
        if joined_on > today:
            problems.append(Problem("入党日期", "入党日期不能晚于今天"))
        elif joined_on < birth_date or age_on(birth_date, joined_on) < MIN_AGE:
            problems.append(Problem("入党日期", f"入党时应已年满 {MIN_AGE} 周岁"))
    if exempt_meeting_date is not None:
        if category is not MemberCategory.ELDERLY_INFIRM:
            problems.append(Problem("免评党员大会日期", "只有“年老体弱”类别的党员可以免评"))
        elif exempt_meeting_date > today:
            problems.append(Problem("免评党员大会日期", "党员大会日期不能晚于今天"))
    return problems
