"""The village's 村务监督委员会, kept by the secretary, and the conflict-of-interest check of a
round's cadre section (rules/supervision.py, DESIGN.md §14).

Members are the village's `supervisor` accounts (made by the township like every village
account). A committee under construction takes members one by one (up to five, each checked
for conflicts) and does nothing yet; once the secretary saves it as complete (3–5 members, one
chair) it is established: from then on its members sign off the 公示稿, and it stays complete
(a member is replaced by adding the successor first; the chair by appointing another first).
"""

from sqlalchemy import select

from starrating.extensions import db
from starrating.models import BallotRound, BallotSubject, Cadre, SupervisorSeat, User, Village
from starrating.models.types import utcnow
from starrating.rules.electorate import Section
from starrating.rules.supervision import (
    CadreRecord,
    Relative,
    add_problem,
    chair_warning,
    complete_problem,
    member_problem,
    remove_problem,
    section_conflict,
)
from starrating.rules.vocabulary import Role
from starrating.services import ServiceError
from starrating.services.audit import record_event


def cadre_record(cadre: Cadre) -> CadreRecord:
    return CadreRecord(
        name=cadre.name,
        post=cadre.post,
        kind=cadre.post_kind,
        user_id=cadre.user_id,
        relatives=tuple(
            Relative(name=r.name, relation=r.relation, user_id=r.user_id) for r in cadre.relatives
        ),
    )


def village_cadres(village_id: int) -> list[CadreRecord]:
    statement = select(Cadre).where(Cadre.village_id == village_id, Cadre.active)
    return [cadre_record(c) for c in db.session.scalars(statement.order_by(Cadre.id))]


def seats(village_id: int) -> list[SupervisorSeat]:
    """The committee, the chair first."""
    statement = select(SupervisorSeat).where(SupervisorSeat.village_id == village_id)
    return list(
        db.session.scalars(statement.order_by(SupervisorSeat.is_chair.desc(), SupervisorSeat.id))
    )


def on_committee(user: User) -> bool:
    """Whether the user holds a seat on their village's 监委会."""
    return user.role is Role.SUPERVISOR and (
        db.session.scalar(select(SupervisorSeat.id).where(SupervisorSeat.user_id == user.id))
        is not None
    )


def has_supervisors(village_id: int) -> bool:
    """Whether the village's 监委会 is established (saved as complete once)."""
    village = db.session.get(Village, village_id)
    return village is not None and village.supervisors_established_at is not None


def _secretary_names(village_id: int) -> list[str]:
    """The branch secretary, as the village's records know them: the secretary accounts and
    the cadres whose post is the 书记's (not a 副书记)."""
    accounts = db.session.scalars(
        select(User.display_name).where(
            User.village_id == village_id, User.role == Role.SECRETARY, User.active
        )
    )
    cadres = db.session.scalars(
        select(Cadre.name).where(
            Cadre.village_id == village_id,
            Cadre.active,
            Cadre.post.contains("书记"),
            ~Cadre.post.contains("副书记"),
        )
    )
    return [*accounts, *cadres]


def seat_problems(village_id: int) -> dict[int, str]:
    """Seat id → why its member may not sit on the committee now (a cadre's record changed
    since they joined: a relative listed, a post kind set)."""
    cadres = village_cadres(village_id)
    found = {}
    for seat in seats(village_id):
        problem = member_problem(seat.user_id, seat.user.display_name, cadres)
        if problem:
            found[seat.id] = problem
    return found


def chair_warning_of(village_id: int) -> str | None:
    chair = next((s for s in seats(village_id) if s.is_chair), None)
    if chair is None:
        return None
    return chair_warning(chair.user.display_name, _secretary_names(village_id))


def candidates(village_id: int) -> list[User]:
    """The village's active supervisor accounts not yet on the committee."""
    seated = select(SupervisorSeat.user_id)
    statement = select(User).where(
        User.village_id == village_id,
        User.role == Role.SUPERVISOR,
        User.active,
        User.id.not_in(seated),
    )
    return list(db.session.scalars(statement.order_by(User.id)))


def _audit(actor: User, village: Village, action: str, summary: str, after: dict) -> None:
    record_event(
        actor=actor,
        action=action,
        summary=summary,
        object_type="village",
        object_id=village.id,
        township_id=village.township_id,
        village_id=village.id,
        after=after,
    )


def _lock(village: Village) -> None:
    """Two secretaries' browsers changing the committee at once: one after the other."""
    db.session.execute(select(Village.id).where(Village.id == village.id).with_for_update())


def add_supervisor(*, actor: User, village: Village, user_id: int, chair: bool) -> str | None:
    """Seat the account on the committee (as its chair, if chair: the former chair stays a
    member). Refused with why; returns a warning (the chair is the branch secretary) or None."""
    _lock(village)
    user = db.session.get(User, user_id)
    if (
        user is None
        or user.village_id != village.id
        or user.role is not Role.SUPERVISOR
        or not user.active
    ):
        raise ServiceError("所选账号不是本村的监委会成员账号：请乡镇先为其开设“监委会成员”账号")
    current = seats(village.id)
    if any(seat.user_id == user.id for seat in current):
        raise ServiceError(f"「{user.display_name}」已是村务监督委员会成员")
    problem = add_problem(len(current)) or member_problem(
        user.id, user.display_name, village_cadres(village.id)
    )
    if problem:
        raise ServiceError(problem)
    if chair:
        for seat in current:
            seat.is_chair = False
    db.session.add(SupervisorSeat(village_id=village.id, user_id=user.id, is_chair=chair))
    db.session.flush()
    role = "主任" if chair else "成员"
    _audit(
        actor,
        village,
        "supervisors.add",
        f"村务监督委员会增加{role}「{user.display_name}」",
        {"user_id": user.id, "chair": chair},
    )
    return chair_warning_of(village.id) if chair else None


def _seat_or_refuse(village: Village, seat_id: int) -> SupervisorSeat:
    seat = db.session.get(SupervisorSeat, seat_id)
    if seat is None or seat.village_id != village.id:
        raise ServiceError("这名成员已不在村务监督委员会中，请刷新页面")
    return seat


def remove_supervisor(*, actor: User, village: Village, seat_id: int) -> str:
    """Take a member off the committee; returns their name."""
    _lock(village)
    seat = _seat_or_refuse(village, seat_id)
    problem = remove_problem(
        members=len(seats(village.id)),
        established=village.supervisors_established_at is not None,
        is_chair=seat.is_chair,
    )
    if problem:
        raise ServiceError(problem)
    name = seat.user.display_name
    db.session.delete(seat)
    db.session.flush()
    _audit(
        actor,
        village,
        "supervisors.remove",
        f"村务监督委员会移除「{name}」",
        {"user_id": seat.user_id},
    )
    return name


def make_chair(*, actor: User, village: Village, seat_id: int) -> str | None:
    """Appoint the member chair (the former chair stays a member); returns a warning or None."""
    _lock(village)
    seat = _seat_or_refuse(village, seat_id)
    if seat.is_chair:
        raise ServiceError(f"「{seat.user.display_name}」已是主任")
    for other in seats(village.id):
        other.is_chair = other.id == seat.id
    db.session.flush()
    _audit(
        actor,
        village,
        "supervisors.chair",
        f"村务监督委员会主任改为「{seat.user.display_name}」",
        {"user_id": seat.user_id},
    )
    return chair_warning_of(village.id)


def establish(*, actor: User, village: Village) -> str | None:
    """Save the committee as complete: 3–5 members, one chair, none conflicted. From then on
    it signs off the 公示稿. Returns a warning (the chair is the branch secretary) or None."""
    _lock(village)
    if village.supervisors_established_at is not None:
        raise ServiceError("村务监督委员会名单已确认，无需再次确认")
    current = seats(village.id)
    problem = complete_problem(len(current), sum(1 for s in current if s.is_chair))
    conflicts = seat_problems(village.id)
    if problem or conflicts:
        raise ServiceError(problem or next(iter(conflicts.values())))
    village.supervisors_established_at = utcnow()
    db.session.flush()
    _audit(
        actor,
        village,
        "supervisors.establish",
        f"确认村务监督委员会名单（{len(current)} 名）",
        {"members": [s.user_id for s in current]},
    )
    return chair_warning_of(village.id)


def cadre_section_conflict(user: User, ballot_round: BallotRound) -> str | None:
    """Why the user may not key, scrutinise or certify the round — they are a subject of its
    cadre section, or a listed relative of one — or None."""
    if not ballot_round.has_cadres:
        return None
    statement = (
        select(Cadre)
        .join(BallotSubject, BallotSubject.cadre_id == Cadre.id)
        .where(BallotSubject.round_id == ballot_round.id, BallotSubject.section == Section.CADRES)
        .order_by(BallotSubject.position)
    )
    return section_conflict(user.id, [cadre_record(c) for c in db.session.scalars(statement)])


def check_cadre_section(user: User, ballot_round: BallotRound) -> None:
    """Refuse, with why, a user who is a subject of the round's cadre section (or a listed
    relative of one) from keying, scrutinising or certifying the round."""
    problem = cadre_section_conflict(user, ballot_round)
    if problem:
        raise ServiceError(problem)
