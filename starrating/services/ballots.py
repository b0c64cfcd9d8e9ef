"""Satisfaction ballot rounds: set up, codes, open and close, and the write-off (核销) of the codes
never used; casting itself is services/casting.py."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, insert, select, update

from starrating.extensions import db
from starrating.models import (
    AssessedMember,
    AssessmentYear,
    BallotRound,
    BallotSubject,
    BallotToken,
    Cadre,
    User,
    Village,
)
from starrating.models.types import utcnow
from starrating.rules.ballots import Choice
from starrating.rules.electorate import Electorate, RoundState, Section
from starrating.rules.serials import describe_serials
from starrating.rules.tokens import new_code
from starrating.rules.vocabulary import Role
from starrating.services import ServiceError
from starrating.services.audit import record_event
from starrating.services.casting import (
    PHONE,
    find_token,
    hash_code,
    lock_round,
    seal_ballots,
    use_code,
)
from starrating.services.locks import ensure_village_may_edit
from starrating.services.supervision import check_cadre_section

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
    if ends_at and ends_at <= utcnow():
        raise ServiceError("计划结束时间已经过去了，请填写以后的时间（也可以不填）")
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
    """Codes handed out and not voided as lost or spoiled."""
    return (
        db.session.scalar(
            select(func.count(BallotToken.id)).where(
                BallotToken.round_id == ballot_round.id, BallotToken.handed_out()
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
    codes = _new_codes(ballot_round, count)
    _audit(
        actor,
        ballot_round,
        "ballot.codes",
        f"生成票码 {count} 张（第 {codes[0].serial}–{codes[-1].serial} 号）",
    )
    return codes


def _new_codes(ballot_round: BallotRound, count: int) -> list[PrintedCode]:
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
    db.session.execute(
        insert(BallotToken),
        [
            {"round_id": ballot_round.id, "serial": c.serial, "code_hash": hash_code(c.code)}
            for c in codes
        ],
    )
    return codes


def void_code(*, actor: User, ballot_round: BallotRound, serial: int, reason: str) -> PrintedCode:
    """A lost or spoiled ballot: its code can no longer vote; a replacement is returned."""
    return void_codes(actor=actor, ballot_round=ballot_round, serials=[serial], reason=reason)[0]


def void_codes(
    *, actor: User, ballot_round: BallotRound, serials: Sequence[int], reason: str
) -> list[PrintedCode]:
    """Lost, spoiled or misprinted ballots (a failed print run): all their codes are voided and
    as many replacements returned, in one audit event; or, if any one of them cannot be voided,
    none is. A sheet handed in and keyed is not voided here: it stands until two people void it
    on the paper pages (services/paper.py)."""
    reason = reason.strip()
    if not reason:
        raise ServiceError("请填写作废原因（如：遗失、污损、打印失败）")
    if not serials:
        raise ServiceError("请填写要作废的选票编号")
    ensure_village_may_edit(ballot_round.village_id, ballot_round.year)
    lock_round(ballot_round, exclusive=True)  # no cast or keying of these sheets meanwhile
    if ballot_round.state is RoundState.CLOSED:
        raise ServiceError("投票已结束，不能再作废补发选票")
    wanted = sorted(set(serials))
    _check_voidable(ballot_round, wanted)
    voided = db.session.execute(
        update(BallotToken)
        .where(
            BallotToken.round_id == ballot_round.id,
            BallotToken.serial.in_(wanted),
            BallotToken.used.is_(False),
            BallotToken.voided_at.is_(None),
        )
        .values(voided_at=utcnow(), void_reason=reason)
        .execution_options(synchronize_session="fetch")
    )
    if voided.rowcount != len(wanted):
        raise ServiceError("刚刚有选票投出，没有作废任何选票：请刷新页面后重新填写")
    replacements = _new_codes(ballot_round, len(wanted))
    new = describe_serials(c.serial for c in replacements)
    _audit(
        actor,
        ballot_round,
        "ballot.void",
        f"作废第 {describe_serials(wanted)} 号选票（{len(wanted)} 张）：{reason}；补发第 {new} 号",
        after={
            "voided": wanted,
            "replacements": [c.serial for c in replacements],
            "reason": reason,
        },
    )
    return replacements


def _check_voidable(ballot_round: BallotRound, serials: list[int]) -> None:
    """Every serial is one of the round's, not voided, not used and not keyed on paper; else
    every problem at once."""
    from starrating.queries.ballots import PENDING, paper_sheets

    tokens = {
        token.serial: token
        for token in db.session.scalars(
            select(BallotToken).where(
                BallotToken.round_id == ballot_round.id, BallotToken.serial.in_(serials)
            )
        )
    }
    keyed = {sheet.serial for sheet in paper_sheets(ballot_round.id) if sheet.state in PENDING}
    missing = [s for s in serials if s not in tokens]
    void = [s for s in serials if s in tokens and tokens[s].voided_at is not None]
    used = [s for s in serials if s in tokens and tokens[s].used]
    handed_in = [s for s in serials if s in keyed and s not in void and s not in used]
    problems = []
    if missing:
        last = db.session.scalar(
            select(func.max(BallotToken.serial)).where(BallotToken.round_id == ballot_round.id)
        )
        printed = f"（本次测评印到第 {last} 号）" if last else "（本次测评还没有生成票码）"
        problems.append(f"没有第 {describe_serials(missing)} 号选票{printed}")
    if void:
        problems.append(f"第 {describe_serials(void)} 号选票已作废")
    if used:
        problems.append(f"第 {describe_serials(used)} 号选票已投出，不能作废")
    if handed_in:
        problems.append(
            f"第 {describe_serials(handed_in)} 号纸质选票已交回并录入，不能在这里作废"
            "（录入后遗失或无法辨认的，须由两人在「待核对的选票」页作废）"
        )
    if problems:
        raise ServiceError("；".join(problems) + "。没有作废任何选票，请改正编号后重新提交。")


def open_round(*, actor: User, ballot_round: BallotRound) -> None:
    ensure_village_may_edit(ballot_round.village_id, ballot_round.year)
    if ballot_round.state is not RoundState.DRAFT:
        raise ServiceError(f"测评{ballot_round.state.label}，不能开始投票")
    if issued_count(ballot_round) == 0:
        raise ServiceError("还没有生成票码，请先生成并打印选票")
    ballot_round.state, ballot_round.opened_at = RoundState.OPEN, utcnow()
    _audit(actor, ballot_round, "ballot.open", f"开始投票：{ballot_round.title}")


def close_round(*, actor: User, ballot_round: BallotRound) -> None:
    """End voting. The round's row is locked first, so closing waits for every cast already
    under way and every later cast finds the round closed (services/casting.py); then the
    ballots are sealed. No ballot is ever deleted."""
    ensure_village_may_edit(ballot_round.village_id, ballot_round.year)
    lock_round(ballot_round, exclusive=True)
    if ballot_round.state is not RoundState.OPEN:
        raise ServiceError(f"测评{ballot_round.state.label}，不能结束投票")
    ballot_round.state, ballot_round.closed_at = RoundState.CLOSED, utcnow()
    db.session.flush()
    seal_ballots(ballot_round.id)
    _audit(actor, ballot_round, "ballot.close", f"结束投票：{ballot_round.title}")


WRITE_OFF_REASON = "投票结束后未使用，已核销"
WRITERS_OFF = frozenset({Role.COMMITTEE, Role.TELLER})


def write_off_unused_codes(*, actor: User, ballot_round: BallotRound) -> int:
    """Void every code never used, once voting is over and every paper sheet is settled (核销):
    a code kept back from the print run can then vote neither by phone nor on paper. Done by a
    committee member or a teller, never the secretary who printed the codes. Returns how many."""
    from starrating.queries.ballots import PENDING, paper_sheets

    if actor.role not in WRITERS_OFF or actor.village_id != ballot_round.village_id:
        raise ServiceError("核销未使用的票码须由书记以外的支委委员或计票人确认")
    check_cadre_section(actor, ballot_round)
    ensure_village_may_edit(ballot_round.village_id, ballot_round.year)
    lock_round(ballot_round, exclusive=True)
    if ballot_round.state is not RoundState.CLOSED:
        raise ServiceError("投票结束后才能核销未使用的票码")
    if ballot_round.written_off_at is not None:
        raise ServiceError("未使用的票码已经核销过了")
    pending = sum(1 for sheet in paper_sheets(ballot_round.id) if sheet.state in PENDING)
    if pending:
        raise ServiceError(
            f"还有 {pending} 张纸质选票没有录入完成（等待复核或录入不一致），"
            "核销后它们就不能再计入：请先处理完再核销"
        )
    now = utcnow()
    count = db.session.execute(
        update(BallotToken)
        .where(
            BallotToken.round_id == ballot_round.id,
            BallotToken.used.is_(False),
            BallotToken.voided_at.is_(None),
        )
        .values(voided_at=now, void_reason=WRITE_OFF_REASON, written_off=True)
        .execution_options(synchronize_session=False)
    ).rowcount
    ballot_round.written_off_at, ballot_round.written_off_by_id = now, actor.id
    ballot_round.written_off_count = count
    _audit(
        actor,
        ballot_round,
        "ballot.write_off",
        f"核销未使用的票码 {count} 张：{ballot_round.title}",
        after={"written_off": count},
    )
    return count


def cast_ballot(
    *, village: Village, code: str, marks: Mapping[int, Choice], channel: str = PHONE
) -> str:
    """Cast with a typed code in one transaction (the command line, the demo and tests): the
    villager's pages hold the code's hash instead and call casting.use_code themselves."""
    hashed = hash_code(code)
    token = find_token(village_id=village.id, hashed=hashed)
    return use_code(
        village_code=village.code,
        round_id=token.round_id,
        hashed=hashed,
        marks=marks,
        channel=channel,
    )
