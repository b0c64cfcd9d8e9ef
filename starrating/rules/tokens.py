"""One-time ballot codes: 10 characters without look-alikes, shown as ABCDE-FGHJK."""

import hmac
import math
import re
import secrets
import unicodedata
from hashlib import sha256

# No 0 O 1 I L: a code copied from paper by an elderly villager must not be misread.
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
LENGTH = 10
BITS = LENGTH * math.log2(len(ALPHABET))  # 49.5 bits
RECEIPT_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
RECEIPT_LENGTH = 8


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def shown(code: str) -> str:
    """ABCDEFGHJK → ABCDE-FGHJK."""
    return f"{code[:5]}-{code[5:]}"


# What people type between the two groups of five, or by accident: spaces (also the ideographic
# space), hyphens and dashes of every width, underscores, dots and middle dots.
_SEPARATORS = re.compile(r"[\s\-‐‑‒–—―−_.·・。]")
LOOK_ALIKES = "0O1IL"


def normalised(typed: str) -> str | None:
    """What a villager typed, as a code: full-width characters read as ASCII
    (ＹＥＢＤＹ－ＶＵＲＫＸ), case and separators ignored. None when it cannot be one
    (code_problem says why)."""
    code = _SEPARATORS.sub("", unicodedata.normalize("NFKC", typed).upper())
    if len(code) != LENGTH or any(ch not in ALPHABET for ch in code):
        return None
    return code


def code_problem(typed: str) -> str:
    """Why what was typed cannot be a code, in Chinese, for a code that normalised() refused."""
    code = _SEPARATORS.sub("", unicodedata.normalize("NFKC", typed).upper())
    seen = sorted({ch for ch in code if ch in LOOK_ALIKES}, key=LOOK_ALIKES.index)
    if seen:
        return (
            f"票码里不会有「{'」「'.join(seen)}」：票码不用 0、O、1、I、L 这几个容易看错的字符。"
            "请对照选票再看一下，可能是别的字母或数字（如 Q、D、7、J）。"
        )
    if len(code) != LENGTH:
        return (
            f"票码是 10 位字母和数字，如 ABCDE-FGHJK；刚才输入了 {len(code)} 位。请对照选票核对。"
        )
    return "票码是 10 位字母和数字，如 ABCDE-FGHJK。请对照选票核对后重新输入。"


def code_hash(code: str, key: bytes) -> str:
    """The stored form: HMAC with the server's secret key, so a copy of the database alone lets
    nobody find a code (2⁴⁹ guesses of a plain hash would be within reach)."""
    return hmac.new(key, code.encode(), sha256).hexdigest()


def new_receipt() -> str:
    """A random short code in the receipts' alphabet (also the objections' reference codes)."""
    return "".join(secrets.choice(RECEIPT_ALPHABET) for _ in range(RECEIPT_LENGTH))


def receipt_for(hashed_code: str, key: bytes) -> str:
    """A ballot's receipt, derived from its code's stored hash: the same code always gives the
    same receipt, so a villager whose answer was lost can enter the code again and be shown it,
    and nothing needs to keep a code beside its receipt. Keyed (domain-separated from the code
    hash), so only the server can derive it; it reveals nothing of the marks."""
    digest = hmac.new(key, b"receipt:" + hashed_code.encode(), sha256).digest()
    number = int.from_bytes(digest[:16], "big")
    chars = []
    for _ in range(RECEIPT_LENGTH):
        number, index = divmod(number, len(RECEIPT_ALPHABET))
        chars.append(RECEIPT_ALPHABET[index])
    return "".join(chars)
