"""A rater's marks of one member: stored star by star (达标/不达标, points, or 弃权), only by
the year's raters while marking is open, never over marks saved meanwhile in another tab."""

from collections.abc import Mapping
from decimal import Decimal

from sqlalchemy import select

from starrating.extensions import db
from starrating.models import AssessedMember, Rater, StarMark, User
from starrating.models.types import utcnow
from starrating.rules.tenstar_awards import Abstention
from starrating.rules.tenstar_scheme import MarkingMode, StarGroup
from starrating.services import ServiceError, ensure_unchanged
from starrating.services.assessment import ensure_marking_open, record_year_event

Mark = bool | Decimal | Abstention | None  # None: no mark; ABSTAIN: 弃权


def marks_state(marks: Mapping[str, StarMark]) -> tuple[tuple[str, str | None, str | None], ...]:
    """A rater's marks of one member as compared for stale saves: (star, mark, note), sorted."""
    return tuple(sorted((code, _plain(m), m.note) for code, m in marks.items()))


def record_marks(
    *,
    rater: User,
    assessed: AssessedMember,
    marks: Mapping[str, Mark],
    notes: Mapping[str, str] | None = None,
    shown: str | None = None,
) -> int:
    """Store this rater's marks of one member (a star left empty has no mark, 弃权 is kept as
    decided); returns how many stars are now decided, 弃权 included. Only the year's raters
    mark, only while marking is open."""
    year = assessed.year
    ensure_marking_open(year)
    if not db.session.get(Rater, (year.id, rater.id)):
        raise ServiceError("您不是本年度的评委，不能评分")
    if not assessed.markable:
        why = "已移出评定名单" if assessed.removed_at else "免评"
        raise ServiceError(f"「{assessed.member.name}」{why}，不需要评分")
    scheme = year.scheme.tenstar
    codes = {star.code for star in scheme.stars if star.group is not StarGroup.MASS}
    if set(marks) - codes:
        raise ServiceError("只能评定基础星和先锋星")
    points_mode = scheme.marking.mode is MarkingMode.POINTS
    for code, mark in marks.items():
        _check_mark(mark, points_mode=points_mode, star=scheme.star(code).name)
    existing = {
        m.star_code: m
        for m in db.session.scalars(
            select(StarMark).where(
                StarMark.assessed_member_id == assessed.id, StarMark.rater_id == rater.id
            )
        )
    }
    # the page was opened before this rater saved other marks (another tab): not overwritten
    ensure_unchanged(marks_state(existing), shown)
    before = {code: _plain(m) for code, m in existing.items()}
    before |= {f"{code}.note": m.note for code, m in existing.items() if m.note}
    for code, mark in marks.items():
        _store(assessed, rater, existing.get(code), code, mark, (notes or {}).get(code))
    db.session.flush()
    after = {code: _plain_mark(mark) for code, mark in marks.items()}
    after |= {  # the notes as stored now (a note changed alone is audited too)
        f"{code}.note": note
        for code, mark in marks.items()
        if mark is not None and (note := ((notes or {}).get(code) or "").strip())
    }
    record_year_event(
        rater,
        year,
        "mark.record",
        f"为「{assessed.member.name}」评分",
        object_type="assessed_member",
        object_id=assessed.id,
        before=before,
        after=after,
    )
    return sum(1 for mark in marks.values() if mark is not None) + sum(
        1 for code in existing if code not in marks
    )


def _check_mark(mark: Mark, *, points_mode: bool, star: str) -> None:
    if mark is None or isinstance(mark, Abstention):
        return
    if points_mode:
        if isinstance(mark, bool) or not isinstance(mark, Decimal) or not 0 <= mark <= 100:
            raise ServiceError(f"{star}：分数须在 0–100 之间")
        if mark != mark.quantize(Decimal("0.1")):
            raise ServiceError(f"{star}：分数最多保留一位小数")
    elif not isinstance(mark, bool):
        raise ServiceError(f"{star}：请选择达标或不达标")


def _store(
    assessed: AssessedMember,
    rater: User,
    found: StarMark | None,
    code: str,
    mark: Mark,
    note: str | None,
) -> None:
    if mark is None:
        if found is not None:
            db.session.delete(found)
        return
    if found is None:
        found = StarMark(
            year_id=assessed.year_id,
            assessed_member_id=assessed.id,
            rater_id=rater.id,
            star_code=code,
        )
        db.session.add(found)
    found.passed = mark if isinstance(mark, bool) else None
    found.points = mark if isinstance(mark, Decimal) else None
    found.abstained = isinstance(mark, Abstention)
    found.note = (note or "").strip() or None
    found.marked_at = utcnow()


def _plain(mark: StarMark) -> str | None:
    if mark.abstained:
        return "弃权"
    return _plain_mark(mark.passed if mark.passed is not None else mark.points)


def _plain_mark(mark: Mark) -> str | None:
    if mark is None:
        return None
    if isinstance(mark, Abstention):
        return "弃权"
    if isinstance(mark, bool):
        return "达标" if mark else "不达标"
    return str(mark)
