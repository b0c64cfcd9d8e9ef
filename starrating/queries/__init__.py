"""Named reads used by more than one view; none runs a query per row (queries/ by aggregate)."""

from dataclasses import dataclass

from sqlalchemy import Select, case, func, select

from starrating.extensions import db
from starrating.models import AssessmentYear, AuditEvent, Member, Scheme, User, Village
from starrating.queries.ordering import awaiting_review, in_township_order
from starrating.rules.vocabulary import MemberStatus, Role

AUDIT_PAGE_SIZE = 50


def roster(village_id: int, *, include_left: bool = False) -> list[Member]:
    """The village's members in roster order: on the roster first, then those who left."""
    statement = select(Member).where(Member.village_id == village_id)
    if not include_left:
        statement = statement.where(Member.status == MemberStatus.ACTIVE)
    left_last = case((Member.status == MemberStatus.ACTIVE, 0), else_=1)
    return list(db.session.scalars(statement.order_by(left_last, Member.id)))


@dataclass(frozen=True)
class VillageRow:
    village: Village
    members: int
    accounts: int


def township_villages(township_id: int) -> list[VillageRow]:
    """Every village of the township with its member and account counts, those waiting for
    the township's review first, then by pinyin; in two queries."""
    members = (
        select(func.count(Member.id))
        .where(Member.village_id == Village.id, Member.status == MemberStatus.ACTIVE)
        .scalar_subquery()
    )
    accounts = select(func.count(User.id)).where(User.village_id == Village.id).scalar_subquery()
    rows = db.session.execute(
        select(Village, members, accounts).where(Village.township_id == township_id)
    ).all()
    counts = {
        village.id: (member_count, account_count) for village, member_count, account_count in rows
    }
    villages = [village for village, _, _ in rows]
    return [
        VillageRow(village, *counts[village.id])
        for village in in_township_order(villages, awaiting_review(counts))
    ]


def village_accounts(village_id: int) -> list[User]:
    order = case(*((User.role == role, i) for i, role in enumerate(Role)), else_=99)
    return list(
        db.session.scalars(
            select(User).where(User.village_id == village_id).order_by(order, User.username)
        )
    )


@dataclass(frozen=True)
class AuditPage:
    events: list[AuditEvent]
    page: int
    has_next: bool


def audit_events(*, township_id: int, village_id: int | None = None, page: int = 1) -> AuditPage:
    """The newest audit events of a township (or of one of its villages), a page at a time."""
    statement: Select[tuple[AuditEvent]] = select(AuditEvent).where(
        AuditEvent.township_id == township_id
    )
    if village_id is not None:
        statement = statement.where(AuditEvent.village_id == village_id)
    page = max(page, 1)
    events = list(
        db.session.scalars(
            statement.order_by(AuditEvent.id.desc())
            .offset((page - 1) * AUDIT_PAGE_SIZE)
            .limit(AUDIT_PAGE_SIZE + 1)
        )
    )
    return AuditPage(events[:AUDIT_PAGE_SIZE], page, len(events) > AUDIT_PAGE_SIZE)


def roster_counts(village_id: int) -> dict[str, int]:
    """Members on the roster by membership and category, and those who left, in one query."""
    active = Member.status == MemberStatus.ACTIVE
    row = db.session.execute(
        select(
            func.count(case((active, 1))),
            func.count(case((active & (Member.membership == "probationary"), 1))),
            func.count(case((active & (Member.category == "mobile"), 1))),
            func.count(case((active & (Member.category == "elderly_infirm"), 1))),
            func.count(case((active & Member.exempt_meeting_date.is_not(None), 1))),
            func.count(case((~active, 1))),
        ).where(Member.village_id == village_id)
    ).one()
    keys = ("active", "probationary", "mobile", "elderly", "exempt", "left")
    return dict(zip(keys, (int(v) for v in row), strict=True))


@dataclass(frozen=True)
class SchemeRow:
    scheme: Scheme
    villages: list[str]  # the villages that opened the year, first opener first


def scheme_rows(township_id: int) -> list[SchemeRow]:
    """The township's schemes, newest year first, each with the villages that have opened its
    year, in one query."""
    rows = db.session.execute(
        select(Scheme, Village.name)
        .outerjoin(AssessmentYear, AssessmentYear.scheme_id == Scheme.id)
        .outerjoin(Village, Village.id == AssessmentYear.village_id)
        .where(Scheme.township_id == township_id)
        .order_by(Scheme.year.desc(), AssessmentYear.opened_at, AssessmentYear.id)
    ).all()
    grouped: dict[int, SchemeRow] = {}
    for scheme, village_name in rows:
        row = grouped.setdefault(scheme.id, SchemeRow(scheme, []))
        if village_name is not None:
            row.villages.append(village_name)
    return list(grouped.values())
