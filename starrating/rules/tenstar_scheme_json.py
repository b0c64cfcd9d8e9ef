"""The ten-star scheme's plain dict form, stored as JSON per year (Scheme.rules["tenstar"]):
Decimals as strings, the quota as a fraction string; a scheme read back is checked as a new one."""

from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Any

from starrating.rules.answer_deadline import DEFAULT_ANSWER_DAYS
from starrating.rules.star_changes import StarChangeRules
from starrating.rules.tenstar_scheme import (
    SCHEME_FORMAT,
    GradeRule,
    MarkingMode,
    MarkingRule,
    MassMeasure,
    MassStarRule,
    SchemeInvalid,
    Star,
    StarGroup,
    TenStarScheme,
    validate_scheme,
)


def scheme_to_dict(scheme: TenStarScheme) -> dict[str, Any]:
    """A JSON-able dict: Decimals as strings, the quota as a fraction string such as "1/3"."""
    return {
        "format": SCHEME_FORMAT,
        "stars": [
            {
                "code": star.code,
                "name": star.name,
                "group": str(star.group),
                "criteria": star.criteria,
                "measure": None if star.measure is None else str(star.measure),
            }
            for star in scheme.stars
        ],
        "marking": {
            "mode": str(scheme.marking.mode),
            "points_threshold": str(scheme.marking.points_threshold),
        },
        "mass": {
            "recognition_threshold": str(scheme.mass.recognition_threshold),
            "satisfaction_threshold": str(scheme.mass.satisfaction_threshold),
            "minimum_sample": scheme.mass.minimum_sample,
        },
        "grades": {
            "basic_for_excellent": scheme.grades.basic_for_excellent,
            "total_for_excellent": scheme.grades.total_for_excellent,
            "basic_for_pass": scheme.grades.basic_for_pass,
            "basic_for_basic_pass": scheme.grades.basic_for_basic_pass,
            "excellent_quota": str(scheme.grades.excellent_quota),
        },
        "veto_reasons": list(scheme.veto_reasons),
        "publicity_days": scheme.publicity_days,
        "answer_days": scheme.answer_days,
        "changes": scheme.changes.to_dict(),
    }


def scheme_from_dict(data: dict[str, Any]) -> TenStarScheme:
    """The scheme stored in data, validated; SchemeInvalid if it is malformed or out of range."""
    try:
        scheme = _parse_scheme(data)
    except (KeyError, TypeError, ValueError, ZeroDivisionError, InvalidOperation) as error:
        raise SchemeInvalid([f"方案数据格式有误：{error!r}"]) from error
    return validate_scheme(scheme)


def _parse_scheme(data: dict[str, Any]) -> TenStarScheme:
    if data["format"] != SCHEME_FORMAT:
        raise ValueError(f"unknown scheme format {data['format']!r}")
    marking, mass, grades = data["marking"], data["mass"], data["grades"]
    return TenStarScheme(
        stars=tuple(_parse_star(item) for item in data["stars"]),
        marking=MarkingRule(MarkingMode(marking["mode"]), _decimal(marking["points_threshold"])),
        mass=MassStarRule(
            recognition_threshold=_decimal(mass["recognition_threshold"]),
            satisfaction_threshold=_decimal(mass["satisfaction_threshold"]),
            minimum_sample=_integer(mass["minimum_sample"]),
        ),
        grades=GradeRule(
            basic_for_excellent=_integer(grades["basic_for_excellent"]),
            total_for_excellent=_integer(grades["total_for_excellent"]),
            basic_for_pass=_integer(grades["basic_for_pass"]),
            basic_for_basic_pass=_integer(grades["basic_for_basic_pass"]),
            excellent_quota=Fraction(_text(grades["excellent_quota"])),
        ),
        veto_reasons=tuple(_text(reason) for reason in data["veto_reasons"]),
        publicity_days=_integer(data["publicity_days"]),
        # schemes stored before objections had a deadline read the default
        answer_days=_integer(data.get("answer_days", DEFAULT_ANSWER_DAYS)),
        changes=StarChangeRules.from_dict(data.get("changes", {})),  # older schemes: defaults
    )


def _parse_star(item: dict[str, Any]) -> Star:
    measure = item["measure"]
    return Star(
        code=_text(item["code"]),
        name=_text(item["name"]),
        group=StarGroup(item["group"]),
        criteria=_text(item["criteria"]),
        measure=None if measure is None else MassMeasure(measure),
    )


def _text(value: object) -> str:
    if not isinstance(value, str):
        raise TypeError(f"expected text, got {value!r}")
    return value


def _integer(value: object) -> int:
    # bool is an int in Python, but true is no number of days
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"expected a whole number, got {value!r}")
    return value


def _decimal(value: object) -> Decimal:
    # strings only: a JSON float (79.9) would carry binary noise into a threshold
    return Decimal(_text(value))
