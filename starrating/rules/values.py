"""What a typed value may be, decided once for forms, imports and services (issue 14).

People type with a Chinese input method: full-width digits (８０), a full-width point or comma
(８０．５, 24，000), an ideographic space, a unit typed after the figure (24000元, 80%). typed()
turns all of that into plain text (NFKC, which maps exactly those full-width forms to ASCII).
A figure is then digits with at most one point: no exponent (1e308), no NaN or Infinity, no
thousands of digits, and it must lie in its field's range with its field's places, so that no
later arithmetic (a quantize, a database column) can fail on it.
"""

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

EARLIEST_DATE = date(1900, 1, 1)
LATEST_DATE = date(2100, 12, 31)
DATE_RANGE_MESSAGE = "日期须在 1900-01-01 到 2100-12-31 之间，请检查年份"

_FIGURE = re.compile(r"[+-]?(?:\d{1,15}(?:\.\d{0,6})?|\.\d{1,6})")
_WHOLE = re.compile(r"[+-]?\d{1,15}")
_SEPARATORS = str.maketrans("", "", ",_ ")


def typed(text: str) -> str:
    """The text as plain characters: NFKC (full-width digits, letters, punctuation and the
    ideographic space become ASCII), stripped at both ends."""
    return unicodedata.normalize("NFKC", text).strip()


def _plain_number(text: str, unit: str) -> str:
    plain = typed(text).translate(_SEPARATORS)
    for suffix in (unit, "%") if unit else ("%",):
        plain = plain.removesuffix(suffix)
    return plain


@dataclass(frozen=True)
class Figure:
    """A decimal figure's range and places; what is wrong with a typed one, in Chinese."""

    minimum: Decimal
    maximum: Decimal
    places: int = 1
    unit: str = ""
    example: str = "80"
    range_message: str | None = None  # instead of "须在 a–b 之间"

    def read(self, text: str) -> Decimal:
        """The typed figure, or ValueError with the Chinese reason."""
        plain = _plain_number(text, self.unit)
        if not _FIGURE.fullmatch(plain):
            raise ValueError(f"请填写数字，如 {self.example}")
        value = Decimal(plain)
        if not self.minimum <= value <= self.maximum:
            shown = f"须在 {_shown(self.minimum)}–{_shown(self.maximum)} 之间"
            raise ValueError(self.range_message or shown)
        if value != value.quantize(Decimal(1).scaleb(-self.places)):
            raise ValueError(f"最多保留 {self.places} 位小数" if self.places else "请填写整数")
        return value


@dataclass(frozen=True)
class Whole:
    """A whole number's range; what is wrong with a typed one, in Chinese."""

    minimum: int
    maximum: int
    example: str = "5"

    def read(self, text: str) -> int:
        plain = _plain_number(text, "")
        if not _WHOLE.fullmatch(plain):
            raise ValueError(f"请填写整数，如 {self.example}")
        value = int(plain)
        if not self.minimum <= value <= self.maximum:
            raise ValueError(f"须在 {self.minimum}–{self.maximum} 之间")
        return value


def date_problem(day: date) -> str | None:
    """Why no date field may hold that day (per-field sense, such as a birth date not in the
    future, is the field's own rule), or None."""
    if not EARLIEST_DATE <= day <= LATEST_DATE:
        return DATE_RANGE_MESSAGE
    return None


# A telephone number: a mobile is 11 digits starting with 1[3-9]; a landline 7–12 digits with or
# without its area code (never starting with 1). Typed with spaces or dashes, full width or not.
_MOBILE = re.compile(r"1[3-9][0-9]{9}")
_LANDLINE = re.compile(r"[02-9][0-9]{6,11}")
_PHONE_SEPARATORS = re.compile(r"[\s\-‐‑‒–—―−]")
PHONE_MESSAGE = "电话号码不对：手机号是 11 位数字，固定电话是 7–12 位数字（可带区号和 -）"


def phone_digits(text: str | None) -> str | None:
    """The digits of a typed telephone number; None when nothing (or only spaces, also
    full-width ones) was typed; ValueError(PHONE_MESSAGE) when it is no number."""
    plain = typed(text or "")
    if not plain:
        return None
    digits = _PHONE_SEPARATORS.sub("", plain)
    digits = re.sub(r"^(?:\+86|0086)(?=1[3-9])", "", digits)  # the country code before a mobile
    if _MOBILE.fullmatch(digits) or _LANDLINE.fullmatch(digits):
        return digits
    raise ValueError(PHONE_MESSAGE)


def _shown(value: Decimal) -> str:
    return format(value.normalize(), "f")
