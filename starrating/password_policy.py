"""What a password a person chooses must be: long enough and hard to guess, said in Chinese.

zxcvbn (Dropbox's estimator) judges how guessable a password is: it knows the common passwords
of the big leaks (Chinese ones such as 5201314, woaini, qq123456 among them), keyboard walks,
repeats, sequences, dates and years, and it takes the words around the account (username,
name, village, township, this system) as the cheapest guesses. A password must have at least
MIN_LENGTH characters, must not contain the username or the person's name, and must score at
least MIN_SCORE. Generated passwords are not checked here:
they are random (12 characters, about 69 bits).
"""

import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass

from zxcvbn import zxcvbn

MIN_LENGTH = 10
# 3 of 0-4: at least 10^8 guesses, far beyond the login limit and costly against argon2id.
MIN_SCORE = 3
# zxcvbn refuses longer input; a password longer than this is judged by its beginning.
_ESTIMATED_LENGTH = 72

APP_WORDS = (
    "星级评定",
    "starrating",
    "xingjipingding",
    "xingji",
    "十星",
    "shixing",
    "党员",
    "dangyuan",
    "党建",
    "dangjian",
    "支部",
    "zhibu",
    "书记",
    "shuji",
    "村委",
    "cunwei",
    "共产党",
    "gongchandang",
)

_KINDS_OF_WORD = {
    "username": "用户名",
    "name": "姓名",
    "village": "村名或村代码",
    "township": "乡镇名",
    "app": "本系统或党建常用的词",
}

# The first pattern found in this order names the reason.
_PATTERN_REASONS = (
    ("spatial", "是键盘上挨着的一串键（如 qwerty、1qaz2wsx）"),
    ("repeat", "有重复的字符（如 aaaa、1212）"),
    ("date", "含有日期（如生日）"),
    ("regex", "含有年份"),
    ("sequence", "有连续的字母或数字（如 abcd、123456）"),
    ("dictionary", "由常见的英文单词或姓名组成"),
)

_ADVICE = "请换一个更长、更难猜的密码，例如几个不相干的词加上数字和符号。"

# zxcvbn keeps the user's words in a module-level dictionary: one estimate at a time.
_ZXCVBN_LOCK = threading.Lock()


@dataclass(frozen=True)
class PasswordContext:
    """The words around an account, which a guesser tries first."""

    username: str
    display_name: str = ""
    village_name: str = ""
    village_code: str = ""
    township_name: str = ""


def _squeezed(text: str) -> str:
    return re.sub(r"[-_.\s]+", "", text.strip().lower())


def _personal_words(context: PasswordContext) -> list[tuple[str, str]]:
    """The username (also without separators or digits) and the name, with what each is:
    never in a password, however long the rest is."""
    username = _squeezed(context.username)
    words = [
        (username, "用户名"),
        (re.sub(r"\d+", "", username), "用户名"),
        (_squeezed(context.display_name), "姓名"),
    ]
    return [(w, kind) for w, kind in words if len(w) >= 3 or (len(w) == 2 and not w.isascii())]


def _variants(word: str) -> list[str]:
    """A word as typed into a password: as is, without separators, its parts, without digits,
    and a Chinese place name without its 村 / 镇 / 乡."""
    word = word.strip().lower()
    if not word:
        return []
    parts = [p for p in re.split(r"[-_.\s]+", word) if len(p) >= 2]
    found = [word, "".join(parts), re.sub(r"\d+", "", word), *parts]
    if len(word) > 2 and word[-1] in "村镇乡":
        found.append(word[:-1])
    return [w for w in dict.fromkeys(found) if w]


def _context_words(context: PasswordContext) -> dict[str, str]:
    """Each word a guesser would try, with the kind it is of (first kind wins)."""
    sources: Iterable[tuple[str, str]] = (
        ("username", context.username),
        ("name", context.display_name),
        ("village", context.village_code),
        ("village", context.village_name),
        ("township", context.township_name),
    )
    words: dict[str, str] = {}
    for kind, word in sources:
        for variant in _variants(word):
            words.setdefault(variant, kind)
    for word in APP_WORDS:
        words.setdefault(word, "app")
    return words


def _reason(sequence: list[dict[str, object]], words: dict[str, str]) -> str:
    for match in sequence:
        if match.get("dictionary_name") == "user_inputs":
            kind = words.get(str(match["matched_word"]), "app")
            return f"含有{_KINDS_OF_WORD[kind]}"
    for match in sequence:
        if match.get("dictionary_name") == "passwords":
            return "太常见，是许多人都在用的密码"
    patterns = {str(match["pattern"]) for match in sequence}
    for pattern, reason in _PATTERN_REASONS:
        if pattern in patterns:
            return reason
    return "太容易被猜到"


def password_problem(password: str, *, context: PasswordContext) -> str | None:
    """Why password may not be chosen (in Chinese, for the form), or None when it may."""
    if len(password) < MIN_LENGTH:
        return f"新密码太短：至少 {MIN_LENGTH} 位，现在只有 {len(password)} 位"
    squeezed = _squeezed(password)
    for word, kind in _personal_words(context):
        if word in squeezed:
            return f"新密码含有您的{kind}，别人容易猜到。{_ADVICE}"
    words = _context_words(context)
    with _ZXCVBN_LOCK:
        result = zxcvbn(password[:_ESTIMATED_LENGTH], user_inputs=list(words))
    if result["score"] >= MIN_SCORE:
        return None
    return f"新密码{_reason(result['sequence'], words)}，别人容易猜到。{_ADVICE}"
