"""Paper ballots and certification (DESIGN.md §6): two people key each sheet, it counts when
they agree; a teller and a scrutineer certify the closed round's tally, which makes it final.

The marks of an entry are never audited: the events say who keyed which sheet number, and what
came of it.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import null, select, update

from starrating.extensions import db
from starrating.models import BallotRound, BallotSubject, BallotToken, User
from starrating.models.ballots import Certification, PaperEntry
from starrating.models.types import utcnow
from starrating.queries.ballots import PENDING, PaperSheet, SheetState, paper_sheets
from starrating.rules.ballots import Choice
from starrating.rules.electorate import RoundState
from starrating.rules.tokens import normalised
from starrating.rules.vocabulary import Role
from starrating.services import ServiceError
from starrating.services.audit import record_event
from starrating.services.casting import PAPER, CodeRefused, hash_code, lock_round, seal_ballots
from starrating.services.casting import use_code as _use_code
from starrating.services.locks import ensure_village_may_edit
from starrating.services.supervision import check_cadre_section

KEYERS = frozenset({Role.TELLER, Role.COMMITTEE, Role.SECRETARY})


class Keyed(StrEnum):
    """What came of keying a sheet."""

    FIRST = "first"
    COUNTED = "counted"
    DISAGREE = "disagree"

    @property
    def message(self) -> str:
        return {
            Keyed.FIRST: "已录入，等待另一人复核",
            Keyed.COUNTED: "两人录入一致，已计入",
            Keyed.DISAGREE: "与另一人的录入不一致，已列入待核对",
        }[self]


@dataclass(frozen=True)
class KeyedSheet:
    """What came of keying one sheet, and which sheet it was (the teller says which)."""

    serial: int
    outcome: Keyed

    @property
    def message(self) -> str:
        return f"第 {self.serial} 号选票{self.outcome.message}"


def _audit(user: User, ballot_round: BallotRound, action: str, summary: str) -> None:
    record_event(
        actor=user,
        action=action,
        summary=summary,
        object_type="ballot_round",
        object_id=ballot_round.id,
        township_id=ballot_round.village.township_id,
        village_id=ballot_round.village_id,
    )


def _check_keyer(user: User, ballot_round: BallotRound, *, exclusive: bool = False) -> None:
    """The user may key this round's sheets now: read under the round's lock, so that keying
    and certifying (which locks for update) never interleave."""
    if user.role not in KEYERS or user.village_id != ballot_round.village_id:
        raise ServiceError("只有本村的计票人、支委委员和书记可以录入和确认")
    check_cadre_section(user, ballot_round)
    ensure_village_may_edit(ballot_round.village_id, ballot_round.year)
    lock_round(ballot_round, exclusive=exclusive)
    if ballot_round.certified_at is not None:
        raise ServiceError("计票结果已确认，不能再录入或更改纸质选票")
    if ballot_round.state is RoundState.DRAFT:
        raise ServiceError("测评还没有开始投票，不能录入纸质选票")


def _stored(marks: Mapping[int, Choice]) -> dict[str, str]:
    return {str(subject): choice.value for subject, choice in marks.items()}


def _token_for(ballot_round: BallotRound, code: str) -> BallotToken:
    """The sheet's code, if it may still be counted on paper; else why not."""
    plain = normalised(code)
    if plain is None:
        raise ServiceError("票码不对：请核对选票上的票码（10 位，字母和数字）")
    token = db.session.scalar(select(BallotToken).where(BallotToken.code_hash == hash_code(plain)))
    if token is None:
        raise ServiceError("票码不对：没有这个票码，请核对选票")
    if token.round_id != ballot_round.id:
        raise ServiceError("这张选票不是本次测评的")
    if token.written_off:
        raise ServiceError(f"第 {token.serial} 号选票的票码已在投票结束后核销，不能再计入")
    if token.voided_at is not None:
        raise ServiceError(f"第 {token.serial} 号选票已作废，不能计入")
    if token.channel == "phone":
        raise ServiceError(f"第 {token.serial} 号选票已用手机投过票，纸质票作废")
    if token.used:
        raise ServiceError(f"第 {token.serial} 号纸质选票已计入，不能再录入")
    return token


def _subject_ids(ballot_round: BallotRound) -> frozenset[int]:
    return frozenset(
        db.session.scalars(
            select(BallotSubject.id).where(BallotSubject.round_id == ballot_round.id)
        )
    )


def key_paper_ballot(
    *, user: User, ballot_round: BallotRound, code: str, marks: Mapping[int, Choice]
) -> KeyedSheet:
    """One person's keying of one sheet. The first entry waits; a second by a different person
    counts the sheet when both agree, else both are listed for the two to check the paper."""
    _check_keyer(user, ballot_round)
    token = _token_for(ballot_round, code)
    if set(marks) - _subject_ids(ballot_round):
        raise ServiceError("录入的内容有本次测评之外的对象，请刷新页面后重新录入")
    earlier = list(
        db.session.scalars(
            select(PaperEntry).where(
                PaperEntry.round_id == ballot_round.id, PaperEntry.code_hash == token.code_hash
            )
        )
    )
    if any(entry.keyed_by_id == user.id for entry in earlier):
        raise ServiceError(
            f"第 {token.serial} 号选票您已录入过。同一人不能录入两次，请由另一人复核"
        )
    if len(earlier) >= 2:
        raise ServiceError(
            f"第 {token.serial} 号选票已由两人录入，不一致之处请由这两人对照纸质选票各自更正"
        )
    entry = PaperEntry(
        round_id=ballot_round.id,
        code_hash=token.code_hash,
        serial=token.serial,
        keyed_by_id=user.id,
        marks=_stored(marks),
    )
    db.session.add(entry)
    db.session.flush()
    outcome = _compare(ballot_round, code, entry, earlier[0] if earlier else None)
    _audit(user, ballot_round, "paper.key", f"录入第 {token.serial} 号纸质选票：{outcome.message}")
    return KeyedSheet(token.serial, outcome)


def correct_paper_entry(*, user: User, entry: PaperEntry, marks: Mapping[int, Choice]) -> Keyed:
    """The keyer re-keys their own entry after checking the paper; agreeing now counts it."""
    ballot_round = db.session.get(BallotRound, entry.round_id)
    assert ballot_round is not None
    _check_keyer(user, ballot_round)
    if entry.keyed_by_id != user.id:
        raise ServiceError("只能更正自己的录入；另一人的录入请由其本人核对更正")
    if entry.matched_at is not None:
        raise ServiceError(f"第 {entry.serial} 号选票已计入，不能再更正")
    if set(marks) - _subject_ids(ballot_round):
        raise ServiceError("录入的内容有本次测评之外的对象，请刷新页面后重新录入")
    entry.marks, entry.keyed_at = _stored(marks), utcnow()
    other = db.session.scalar(
        select(PaperEntry).where(
            PaperEntry.round_id == entry.round_id,
            PaperEntry.code_hash == entry.code_hash,
            PaperEntry.id != entry.id,
        )
    )
    db.session.flush()
    outcome = _compare(ballot_round, None, entry, other)
    summary = f"更正第 {entry.serial} 号纸质选票：{outcome.message}"
    _audit(user, ballot_round, "paper.correct", summary)
    return outcome


def _compare(
    ballot_round: BallotRound, code: str | None, entry: PaperEntry, other: PaperEntry | None
) -> Keyed:
    if other is None:
        return Keyed.FIRST
    if other.marks != entry.marks:
        return Keyed.DISAGREE
    marks = {int(subject): Choice(choice) for subject, choice in (entry.marks or {}).items()}
    _count(ballot_round, entry.code_hash, marks)
    entry.matched_at = other.matched_at = utcnow()
    db.session.flush()
    return Keyed.COUNTED


def _count(ballot_round: BallotRound, hashed: str, marks: Mapping[int, Choice]) -> None:
    """Use the code on paper, exactly once, by the same statement the phones use: a phone and a
    sheet racing on one code count once. Sheets handed in at the assembly are often keyed after
    close, until the tally is certified."""
    try:
        _use_code(
            village_code=ballot_round.village.code,
            round_id=ballot_round.id,
            hashed=hashed,
            marks=marks,
            channel=PAPER,
        )
    except CodeRefused as refused:
        if refused.reason == "used":
            raise ServiceError(
                "这张选票的票码刚刚已用手机投过票（或已计入），这张纸质票不再计入"
            ) from None
        raise ServiceError(f"这张选票不能计入：{refused.message}") from None


def pending_entries(ballot_round: BallotRound) -> int:
    """Sheets keyed once, or twice without agreeing: what still stands before certification. A
    sheet whose code voted by phone first, or that two people voided, no longer does."""
    return sum(1 for sheet in paper_sheets(ballot_round.id) if sheet.state in PENDING)


def _sheet(ballot_round: BallotRound, entry: PaperEntry) -> PaperSheet:
    return next(s for s in paper_sheets(ballot_round.id) if s.code_hash == entry.code_hash)


def propose_void(*, user: User, entry: PaperEntry, reason: str) -> None:
    """The first of two people voids a sheet that cannot be counted (keyed once and the paper
    lost, unreadable, its code void): it stands until a second person confirms."""
    ballot_round = db.session.get(BallotRound, entry.round_id)
    assert ballot_round is not None
    _check_keyer(user, ballot_round)
    reason = reason.strip()
    if not reason:
        raise ServiceError("请填写作废原因（如：纸质选票遗失、字迹无法辨认）")
    sheet = _sheet(ballot_round, entry)
    if sheet.state not in PENDING:
        raise ServiceError(f"第 {sheet.serial} 号选票{_SETTLED[sheet.state]}，不需要作废")
    if sheet.void_proposal is not None:
        raise ServiceError(f"第 {sheet.serial} 号选票已由一人提出作废，等待另一人确认")
    entry.void_reason, entry.voided_by_id = reason, user.id
    db.session.flush()
    summary = f"提出作废第 {sheet.serial} 号纸质选票：{reason}"
    _audit(user, ballot_round, "paper.void_propose", summary)


_SETTLED = {
    SheetState.COUNTED: "已计入",
    SheetState.SUPERSEDED: "的票码已用手机投票，本就不计入",
    SheetState.VOIDED: "已作废",
}


def confirm_void(*, user: User, entry: PaperEntry) -> None:
    """A second person confirms the void: every keying of the sheet is voided (not counted),
    and both names are kept."""
    ballot_round = db.session.get(BallotRound, entry.round_id)
    assert ballot_round is not None
    _check_keyer(user, ballot_round)
    sheet = _sheet(ballot_round, entry)
    proposal = sheet.void_proposal
    if sheet.state not in PENDING or proposal is None:
        raise ServiceError(f"第 {sheet.serial} 号选票没有待确认的作废")
    if proposal.voided_by_id == user.id:
        raise ServiceError("作废须由另一人确认：提出作废的人不能自己确认")
    now = utcnow()
    for one in sheet.entries:
        one.voided_at, one.void_confirmed_by_id = now, user.id
        one.void_reason, one.voided_by_id = proposal.void_reason, proposal.voided_by_id
    db.session.flush()
    proposer = proposal.voided_by.display_name if proposal.voided_by else ""
    summary = (
        f"确认作废第 {sheet.serial} 号纸质选票（{proposer}提出，{user.display_name}确认）："
        f"{proposal.void_reason}"
    )
    _audit(user, ballot_round, "paper.void", summary)


def certify_round(*, user: User, ballot_round: BallotRound) -> bool:
    """Sign the closed round's tally. It becomes final (certified_at) once two different people
    have signed, at least one of them a teller (计票人); returns whether it is final now. Then
    the paper entries forget the marks read from the sheets (who keyed which sheet, and when,
    stays) and the ballots are sealed once more, paper ones included."""
    _check_keyer(user, ballot_round, exclusive=True)
    if ballot_round.state is not RoundState.CLOSED:
        raise ServiceError("投票结束后才能确认计票结果")
    pending = pending_entries(ballot_round)
    if pending:
        raise ServiceError(f"还有 {pending} 张纸质选票待复核或录入不一致，处理完后才能确认")
    if ballot_round.written_off_at is None:
        raise ServiceError(
            "还没有核销未使用的票码：请一名支委委员或计票人（不是书记）先在本页核销，再确认计票结果"
        )
    signed = list(
        db.session.scalars(select(Certification).where(Certification.round_id == ballot_round.id))
    )
    if any(certification.user_id == user.id for certification in signed):
        raise ServiceError("您已确认过，需由另一人（计票人或监票人）确认")
    db.session.add(Certification(round_id=ballot_round.id, user_id=user.id))
    db.session.flush()
    signers = [user] + [certification.user for certification in signed]
    final = len(signers) >= 2 and any(signer.role is Role.TELLER for signer in signers)
    if final:
        ballot_round.certified_at = utcnow()
        db.session.execute(
            update(PaperEntry)
            .where(PaperEntry.round_id == ballot_round.id)
            .values(marks=null())
            .execution_options(synchronize_session="fetch")
        )
        seal_ballots(ballot_round.id)
    _audit(
        user,
        ballot_round,
        "ballot.certify",
        f"确认计票结果：{ballot_round.title}" + ("（两人确认，结果生效）" if final else ""),
    )
    return final
