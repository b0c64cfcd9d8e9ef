"""Satisfaction ballot rounds: set up, codes, open and close; casting a ballot exactly once."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from sqlalchemy import delete, exists, func, insert, or_, select, update

from starrating.extensions import db
from starrating.models import (
    AssessedMember,
    AssessmentYear,
    BallotRound,
    BallotSubject,
    BallotToken,
    Cadre,
    CastBallot,
    User,
    Village,
)
from starrating.models.ballots import random_id
from starrating.models.types import utcnow
from starrating.rules.ballots import Choice
from starrating.rules.electorate import Electorate, RoundState, Section
from starrating.rules.tokens import code_hash, new_code, new_receipt
from starrating.services import ServiceError
from starrating.services.audit import record_event
from starrating.services.locks import ensure_village_may_edit

MAX_ELIGIBLE = 20_000


def _audit(
    actor: User, ballot_round: BallotRound, action: str, summary: str, after: dict | None = None
) -> None:
    record_event(
        actor=actor,
        action=action,
        summary=summary,
        object_type="ballot_round",
        object_id=ballot_round.id,
        township_id=ballot_round.village.township_id,
        village_id=ballot_round.village_id,
        after=after,
    )


def _key() -> bytes:
    return current_app.config["SECRET_KEY"].encode()


def create_round(
    *,
    actor: User,
    village: Village,
    year: int,
    title: str,
    members: bool,
    cadres: bool,
    electorate: Electorate,
    eligible: int,
    starts_at: datetime | None = None,
    ends_at: datetime | None = None,
) -> BallotRound:
    """A round with one or both sections, so one assembly needs one sheet and one code per
    voter: the year's members (not exempt, not removed) in roster order, then the cadres."""
    ensure_village_may_edit(village.id, year)
    if not (members or cadres):
        raise ServiceError("请至少选择一项测评内容：党员或村干部")
    if not 1 <= eligible <= MAX_ELIGIBLE:
        raise ServiceError(f"应参加人数须在 1–{MAX_ELIGIBLE} 之间")
    if starts_at and ends_at and ends_at <= starts_at:
        raise ServiceError("结束时间须晚于开始时间")
    year_record = db.session.scalar(
        select(AssessmentYear).where(
            AssessmentYear.village_id == village.id, AssessmentYear.year == year
        )
    )
    if members and year_record is None:
        raise ServiceError(f"{year} 年度党员星级评定尚未开启，不能测评党员")
    ballot_round = BallotRound(
        village=village,
        year=year,
        title=title.strip() or f"{year} 年度民主测评",
        assessment_year=year_record if members else None,
        has_members=members,
        has_cadres=cadres,
        electorate=electorate,
        eligible=eligible,
        starts_at=starts_at,
        ends_at=ends_at,
    )
    db.session.add(ballot_round)
    db.session.flush()
    subjects = _member_subjects(year_record) if members and year_record else []
    if cadres:
        subjects += _cadre_subjects(village)
    if not subjects:
        raise ServiceError("没有可测评的对象")
    db.session.add_all(
        BallotSubject(round_id=ballot_round.id, position=i, **subject)
        for i, subject in enumerate(subjects, start=1)
    )
    _audit(
        actor,
        ballot_round,
        "ballot.create",
        f"创建测评「{ballot_round.title}」（{len(subjects)} 个对象，应参加 {eligible} 人）",
    )
    return ballot_round


def _member_subjects(year: AssessmentYear) -> list[dict]:
    rows = db.session.scalars(
        select(AssessedMember)
        .where(
            AssessedMember.year_id == year.id,
            AssessedMember.removed_at.is_(None),
            AssessedMember.exempt_meeting_date.is_(None),
        )
        .order_by(AssessedMember.position)
    ).all()
    return [
        {
            "section": Section.MEMBERS,
            "assessed_member_id": a.id,
            "name": a.member.name,
            "detail": a.membership.label.removesuffix("党员") + "党员",
        }
        for a in rows
    ]


def _cadre_subjects(village: Village) -> list[dict]:
    """The village's active cadres (村干部名单), in list order, with their posts."""
    rows = db.session.scalars(
        select(Cadre).where(Cadre.village_id == village.id, Cadre.active).order_by(Cadre.id)
    ).all()
    return [
        {"section": Section.CADRES, "cadre_id": c.id, "name": c.name, "detail": c.post}
        for c in rows
    ]


def issued_count(ballot_round: BallotRound) -> int:
    """Codes handed out and not voided."""
    return (
        db.session.scalar(
            select(func.count(BallotToken.id)).where(
                BallotToken.round_id == ballot_round.id, BallotToken.voided_at.is_(None)
            )
        )
        or 0
    )


@dataclass(frozen=True)
class PrintedCode:
    serial: int
    code: str


def generate_codes(*, actor: User, ballot_round: BallotRound, count: int) -> list[PrintedCode]:
    """New one-time codes, never more than the eligible count; the codes themselves are returned
    once, for printing, and kept only as keyed hashes."""
    ensure_village_may_edit(ballot_round.village_id, ballot_round.year)
    if ballot_round.state is RoundState.CLOSED:
        raise ServiceError("测评已结束，不能再生成票码")
    issued = issued_count(ballot_round)
    if count < 1 or issued + count > ballot_round.eligible:
        raise ServiceError(
            f"已发出 {issued} 张，应参加 {ballot_round.eligible} 人，"
            f"最多还能生成 {ballot_round.eligible - issued} 张"
        )
    last = (
        db.session.scalar(
            select(func.max(BallotToken.serial)).where(BallotToken.round_id == ballot_round.id)
        )
        or 0
    )
    codes = [PrintedCode(last + i, new_code()) for i in range(1, count + 1)]
    key = _key()
    db.session.execute(
        insert(BallotToken),
        [
            {"round_id": ballot_round.id, "serial": c.serial, "code_hash": code_hash(c.code, key)}
            for c in codes
        ],
    )
    _audit(
        actor,
        ballot_round,
        "ballot.codes",
        f"生成票码 {count} 张（第 {codes[0].serial}–{codes[-1].serial} 号）",
    )
    return codes


def void_code(*, actor: User, ballot_round: BallotRound, serial: int, reason: str) -> PrintedCode:
    """A lost or spoiled ballot: its code can no longer vote; a replacement is returned."""
    if not reason.strip():
        raise ServiceError("请填写作废原因（如：遗失、污损）")
    token = db.session.scalar(
        select(BallotToken).where(
            BallotToken.round_id == ballot_round.id, BallotToken.serial == serial
        )
    )
    if token is None:
        raise ServiceError(f"没有第 {serial} 号选票")
    if token.voided_at is not None:
        raise ServiceError(f"第 {serial} 号选票已作废")
    if token.used:
        raise ServiceError(f"第 {serial} 号选票已投出，不能作废")
    token.voided_at, token.void_reason = utcnow(), reason.strip()
    db.session.flush()
    _audit(actor, ballot_round, "ballot.void", f"作废第 {serial} 号选票：{reason.strip()}")
    return generate_codes(actor=actor, ballot_round=ballot_round, count=1)[0]


def open_round(*, actor: User, ballot_round: BallotRound) -> None:
    ensure_village_may_edit(ballot_round.village_id, ballot_round.year)
    if ballot_round.state is not RoundState.DRAFT:
        raise ServiceError(f"测评{ballot_round.state.label}，不能开始投票")
    if issued_count(ballot_round) == 0:
        raise ServiceError("还没有生成票码，请先生成并打印选票")
    ballot_round.state, ballot_round.opened_at = RoundState.OPEN, utcnow()
    _audit(actor, ballot_round, "ballot.open", f"开始投票：{ballot_round.title}")


def close_round(*, actor: User, ballot_round: BallotRound) -> None:
    if ballot_round.state is not RoundState.OPEN:
        raise ServiceError(f"测评{ballot_round.state.label}，不能结束投票")
    ballot_round.state, ballot_round.closed_at = RoundState.CLOSED, utcnow()
    _store_in_id_order(ballot_round)
    _audit(actor, ballot_round, "ballot.close", f"结束投票：{ballot_round.title}")


def _store_in_id_order(ballot_round: BallotRound) -> None:
    """Rewrite the round's ballots in the order of their random ids, in one transaction, so
    that the database's storage order (PostgreSQL appends rows in the order they come) and the
    rows' transaction stamps no longer tell the order of casting."""
    rows = db.session.execute(
        select(CastBallot.id, CastBallot.marks, CastBallot.receipt)
        .where(CastBallot.round_id == ballot_round.id)
        .order_by(CastBallot.id)
    ).all()
    if not rows:
        return
    db.session.execute(delete(CastBallot).where(CastBallot.round_id == ballot_round.id))
    db.session.execute(
        insert(CastBallot),
        [
            {"id": id_, "round_id": ballot_round.id, "marks": marks, "receipt": receipt}
            for id_, marks, receipt in rows
        ],
    )


class CodeRefused(ServiceError):
    """A code that cannot vote now; `reason` is one of the keys of REFUSALS."""

    def __init__(self, reason: str) -> None:
        super().__init__(REFUSALS[reason])
        self.reason = reason


REFUSALS = {
    "unknown": "这个票码不对。请核对选票上的票码（10 位，字母和数字），重新输入。",
    "other_village": "这个票码不是本村的。请确认打开的是本村的投票页面。",
    "used": "这张选票已经投过了，不能再投。谢谢您的参与！",
    "void": "这张选票已作废。如有疑问，请找村里的工作人员。",
    "closed": "本次测评已经结束，不能再投票。",
    "not_open": "本次测评还没有开始投票，请在规定时间内再来。",
}


def find_code(*, village: Village, code: str) -> BallotToken:
    """The token a typed or scanned code stands for, if it may vote now; else CodeRefused."""
    token = db.session.scalar(
        select(BallotToken).where(BallotToken.code_hash == code_hash(code, _key()))
    )
    if token is None:
        raise CodeRefused("unknown")
    ballot_round = db.session.get(BallotRound, token.round_id)
    assert ballot_round is not None
    if ballot_round.village_id != village.id:
        raise CodeRefused("other_village")
    if token.voided_at is not None:
        raise CodeRefused("void")
    if token.used:
        raise CodeRefused("used")
    now = utcnow()
    if ballot_round.state is RoundState.CLOSED or (
        ballot_round.ends_at is not None and now >= ballot_round.ends_at
    ):
        raise CodeRefused("closed")
    if ballot_round.state is RoundState.DRAFT or (
        ballot_round.starts_at is not None and now < ballot_round.starts_at
    ):
        raise CodeRefused("not_open")
    return token


@dataclass(frozen=True)
class OpenBallot:
    """What a usable code opens: its round and the round's subjects (read before voting)."""

    village_id: int
    round_id: int
    subject_ids: frozenset[int]


def open_ballot_for(*, village: Village, code: str) -> OpenBallot:
    """The ballot a code may cast now; CodeRefused (unknown, used, void, closed…) otherwise.
    Only reads: a request may run it before its short write transaction."""
    token = find_code(village=village, code=code)
    subject_ids = frozenset(
        db.session.scalars(select(BallotSubject.id).where(BallotSubject.round_id == token.round_id))
    )
    return OpenBallot(village.id, token.round_id, subject_ids)


def cast_open_ballot(
    *, ballot: OpenBallot, code: str, marks: Mapping[int, Choice], channel: str = "phone"
) -> str:
    """Use the code and store the ballot, in one transaction, exactly once: the code is consumed
    by a conditional update first (still unused, not void, its round still open); the ballot is
    stored only if that changed one row. Returns the receipt; raises CodeRefused("used") when
    another request used the code first (a double tap), with nothing stored."""
    if set(marks) - ballot.subject_ids:
        raise ServiceError("选票内容有误，请重新打开投票页面")
    now = utcnow()
    round_is_open = exists().where(
        BallotRound.id == ballot.round_id,
        BallotRound.state == RoundState.OPEN,
        or_(BallotRound.starts_at.is_(None), BallotRound.starts_at <= now),
        or_(BallotRound.ends_at.is_(None), BallotRound.ends_at > now),
    )
    consumed = db.session.execute(
        update(BallotToken)
        .where(
            BallotToken.code_hash == code_hash(code, _key()),
            BallotToken.round_id == ballot.round_id,
            BallotToken.used.is_(False),
            BallotToken.voided_at.is_(None),
            round_is_open,
        )
        .values(used=True, channel=channel)
    )
    if consumed.rowcount != 1:
        raise CodeRefused("used")
    receipt = new_receipt()
    db.session.execute(
        insert(CastBallot).values(
            id=random_id(),
            round_id=ballot.round_id,
            receipt=receipt,
            marks={str(subject): choice.value for subject, choice in marks.items()},
        )
    )
    return receipt


def cast_ballot(
    *, village: Village, code: str, marks: Mapping[int, Choice], channel: str = "phone"
) -> str:
    """Both steps in one transaction (the command line and tests); see cast_open_ballot."""
    ballot = open_ballot_for(village=village, code=code)
    return cast_open_ballot(ballot=ballot, code=code, marks=marks, channel=channel)
