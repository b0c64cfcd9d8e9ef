"""One-time ballot codes: 10 characters without look-alikes, shown as ABCDE-FGHJK."""

import hmac
import math
import secrets
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


def normalised(typed: str) -> str | None:
    """What a villager typed, as a code: case, spaces and dashes ignored, look-alikes mapped
    (O→0 is not in the alphabet, so O, I, L are simply refused). None when it cannot be one."""
    code = "".join(ch for ch in typed.upper() if ch not in " -\u3000－—")
    if len(code) != LENGTH or any(ch not in ALPHABET for ch in code):
        return None
    return code


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
