"""Villagers' objections (异议) filed on the public board, and their answers: the secretary's,
or the township's once the year is submitted (rules/assessment_state.py answer_problem).

Who filed one (name, phone: both optional) is kept for the secretary and the township only; the
audit trail records that an objection came in, never who filed it.
"""

from sqlalchemy import select

from starrating.extensions import db
from starrating.models import AssessmentYear, Objection, ObjectionTopic, User, Village
from starrating.models.types import utcnow
from starrating.rules.assessment_state import YearState, answer_problem
from starrating.rules.tokens import new_receipt
from starrating.rules.values import phone_digits
from starrating.rules.vocabulary import Role
from starrating.services import ServiceError, ensure_unchanged
from starrating.services.audit import record_event

CONTENT_LENGTH = 1000
ANSWER_LENGTH = 1000
NAME_LENGTH = 40  # Objection.filer_name


def file_objection(
    *, village: Village, year: int, topic: ObjectionTopic, content: str, name: str, phone: str
) -> Objection:
    """Record an objection; its reference code (shown once to the filer) finds the answer."""
    content, name, phone = content.strip(), name.strip(), phone.strip()
    if not content:
        raise ServiceError("请写下异议的内容")
    if len(content) > CONTENT_LENGTH:
        raise ServiceError(f"异议内容不能超过 {CONTENT_LENGTH} 字，现为 {len(content)} 字")
    if len(name) > NAME_LENGTH:
        raise ServiceError(f"姓名不能超过 {NAME_LENGTH} 字")
    try:
        phone = phone_digits(phone) or ""
    except ValueError:
        raise ServiceError(
            "联系电话不对：手机号是 11 位数字，固定电话是 7–12 位数字（可不填）"
        ) from None
    objection = Objection(
        village_id=village.id,
        year=year,
        reference=_new_reference(),
        topic=topic,
        content=content,
        filer_name=name or None,
        filer_phone=phone or None,
    )
    db.session.add(objection)
    db.session.flush()
    record_event(
        actor=None,
        actor_label="群众（公示栏）",
        action="objection.file",
        summary=f"收到对{topic.label}的异议，编号 {objection.reference}",
        object_type="objection",
        object_id=objection.id,
        township_id=village.township_id,
        village_id=village.id,
    )
    return objection


def _new_reference() -> str:
    while True:
        reference = new_receipt()
        taken = db.session.scalar(select(Objection.id).where(Objection.reference == reference))
        if taken is None:
            return reference


def answer_objection(
    *, actor: User, objection: Objection, answer: str, shown: str | None = None
) -> None:
    """The answer, shown on the board to whoever has the reference code: the secretary's
    while the village may change the year, the township's while it reviews the year or after
    it approved it (rules: answer_problem). An answer may be rewritten by whoever gave it while
    it is theirs to give; the audit keeps every version."""
    state = db.session.scalar(
        select(AssessmentYear.state).where(
            AssessmentYear.village_id == objection.village_id,
            AssessmentYear.year == objection.year,
        )
    )
    problem = answer_problem(
        year=objection.year,
        state=state,
        role=actor.role,
        answered_by=objection.answered_by.role if objection.answered_by else None,
    )
    if problem:
        raise ServiceError(problem)
    ensure_unchanged(objection.answer, shown)  # the answer the form showed (none: "")
    answer = answer.strip()
    if not answer:
        raise ServiceError("请填写答复内容")
    if len(answer) > ANSWER_LENGTH:
        raise ServiceError(f"答复不能超过 {ANSWER_LENGTH} 字，现为 {len(answer)} 字")
    before = {"answer": objection.answer}
    objection.answer, objection.answered_at, objection.answered_by_id = answer, utcnow(), actor.id
    db.session.flush()
    record_event(
        actor=actor,
        action="objection.answer",
        summary=f"答复异议 {objection.reference}",
        object_type="objection",
        object_id=objection.id,
        township_id=objection.village.township_id,
        village_id=objection.village_id,
        before=before,
        after={"answer": answer},
    )


def answer_problems(
    *, objections: list[Objection], state: YearState | None, role: Role
) -> dict[int, str | None]:
    """Objection id → why that role may not answer it now (None: the form is shown)."""
    return {
        o.id: answer_problem(
            year=o.year,
            state=state,
            role=role,
            answered_by=o.answered_by.role if o.answered_by else None,
        )
        for o in objections
    }
