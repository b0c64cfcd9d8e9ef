"""Plain keyword-only factories for tests; passwords are hashed once, with the fast profile."""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from itertools import count
from typing import TYPE_CHECKING, Any

from argon2 import PasswordHasher
from sqlalchemy import event

from starrating.extensions import db
from starrating.models import Member, Township, User, Village
from starrating.rules.vocabulary import Gender, MemberCategory, Membership, Role

if TYPE_CHECKING:
    from starrating.models import AssessmentYear, BallotRound, ResultVersion, Scheme
    from starrating.rules.result_versions import Part

PASSWORD = "correct-horse-9"  # noqa: S105
PASSWORD_HASH = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1).hash(PASSWORD)
_serial = count(1)


def create_township(*, name: str | None = None) -> Township:
    township = Township(name=name or f"测试镇{next(_serial)}")
    db.session.add(township)
    db.session.commit()  # releases the test's savepoint; the outer transaction still rolls back
    return township


def create_village(*, township: Township | None = None, name: str | None = None) -> Village:
    serial = next(_serial)
    village = Village(
        township=township or create_township(),
        name=name or f"测试村{serial}",
        code=f"village-{serial}",
    )
    db.session.add(village)
    db.session.commit()  # releases the test's savepoint; the outer transaction still rolls back
    return village


def create_user(
    *,
    role: Role,
    village: Village | None = None,
    township: Township | None = None,
    username: str | None = None,
    must_change_password: bool = False,
    display_name: str | None = None,
) -> User:
    if role.is_village_role:
        village = village or create_village()
        township = village.township
    else:
        township = township or create_township()
    user = User(
        username=username or f"{role.value}{next(_serial)}",
        display_name=display_name or f"{role.label}甲",
        role=role,
        township_id=township.id,
        village_id=village.id if village else None,
        password_hash=PASSWORD_HASH,
        must_change_password=must_change_password,
    )
    db.session.add(user)
    db.session.commit()  # releases the test's savepoint; the outer transaction still rolls back
    return user


def create_member(*, village: Village, name: str | None = None, **facts: Any) -> Member:
    values: dict[str, Any] = {
        "name": name or f"党员{next(_serial)}",
        "gender": Gender.MALE,
        "birth_date": date(1970, 5, 1),
        "joined_on": date(2000, 7, 1),
        "membership": Membership.FULL,
        "category": MemberCategory.ORDINARY,
    }
    values.update(facts)
    member = Member(village=village, **values)
    db.session.add(member)
    db.session.commit()  # releases the test's savepoint; the outer transaction still rolls back
    return member


def login(client: Any, user: User, password: str = PASSWORD) -> Any:
    return client.post("/login", data={"username": user.username, "password": password})


def create_scheme(*, township: Township, year: int = 2026, **rules: Any) -> "Scheme":
    """A township's scheme for year with the default ten-star rules (dataclasses.replace
    overrides via rules=TenStarScheme)."""
    from starrating.models import Scheme
    from starrating.rules.tenstar_scheme import default_tenstar_scheme
    from starrating.rules.tenstar_scheme_json import scheme_to_dict

    tenstar = rules.get("tenstar") or default_tenstar_scheme()
    from starrating.rules.appraisal_scheme import default_appraisal_scheme

    appraisal = rules.get("appraisal") or default_appraisal_scheme()
    scheme = Scheme(
        township=township,
        year=year,
        rules={"tenstar": scheme_to_dict(tenstar), "appraisal": appraisal.to_dict()},
    )
    db.session.add(scheme)
    db.session.commit()
    return scheme


def open_assessment(
    *, village: Village, secretary: User, raters: list[User], year: int = 2026
) -> "AssessmentYear":
    """Open the village's ten-star year through the service, as the secretary does."""
    from starrating.models import Scheme
    from starrating.services.assessment import open_year

    if (
        db.session.query(Scheme).filter_by(township_id=village.township_id, year=year).first()
        is None
    ):
        create_scheme(township=village.township, year=year)
    assessment = open_year(
        actor=secretary, village=village, year=year, rater_ids=[rater.id for rater in raters]
    )
    db.session.commit()
    return assessment


@contextmanager
def counting_queries() -> Iterator[list[str]]:
    """The SQL statements run inside the block (savepoint bookkeeping of the tests left out)."""
    statements: list[str] = []

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if not statement.startswith(("SAVEPOINT", "RELEASE", "ROLLBACK")):
            statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", count)


def create_member_round(
    *, village: Village, secretary: User, eligible: int = 10, year: int = 2026
) -> "BallotRound":
    """A villagers' ballot on the year's members (the year must be open), committed."""
    from starrating.rules.electorate import Electorate
    from starrating.services.ballots import create_round

    ballot_round = create_round(
        actor=secretary,
        village=village,
        year=year,
        title="",
        members=True,
        cadres=False,
        electorate=Electorate.VILLAGERS,
        eligible=eligible,
    )
    db.session.commit()
    return ballot_round


def certify(
    ballot_round: "BallotRound", *, teller: User | None = None, other: User | None = None
) -> None:
    """What happens once voting is over: a committee member writes off the codes never used
    (核销), then a teller and another person sign the tally, which makes it final."""
    from starrating.rules.vocabulary import Role
    from starrating.services.ballots import WRITERS_OFF, write_off_unused_codes
    from starrating.services.paper import certify_round

    village = ballot_round.village
    other = other or create_user(role=Role.COMMITTEE, village=village)
    if ballot_round.written_off_at is None:
        writer = other if other.role in WRITERS_OFF else None
        write_off_unused_codes(
            actor=writer or create_user(role=Role.COMMITTEE, village=village),
            ballot_round=ballot_round,
        )
    teller = teller or create_user(role=Role.TELLER, village=village)
    certify_round(user=teller, ballot_round=ballot_round)
    certify_round(user=other, ballot_round=ballot_round)


def signed_off(
    year: "AssessmentYear", part: "Part", *, signer: User | None = None
) -> "ResultVersion":
    """The part's 公示稿 prepared by the village's secretary and signed off: by the chair of
    the village's 村务监督委员会 when it has one, else by a committee member (one is made when
    none is given): what publishing needs (DESIGN.md §16)."""
    from sqlalchemy import select

    from starrating.services.supervision import has_supervisors, seats
    from starrating.services.versions import prepare_version, sign_off

    secretary = db.session.scalar(
        select(User).where(User.village_id == year.village_id, User.role == Role.SECRETARY)
    )
    assert secretary is not None, "the village needs its secretary to prepare a version"
    version = prepare_version(actor=secretary, year=year, part=part)
    if not version.signed:
        if signer is None and has_supervisors(year.village_id):
            signer = next(s.user for s in seats(year.village_id) if s.is_chair)
        signer = signer or db.session.scalar(
            select(User)
            .where(User.village_id == year.village_id, User.role == Role.COMMITTEE)
            .order_by(User.id)
            .limit(1)
        )
        signer = signer or create_user(role=Role.COMMITTEE, village=year.village)
        sign_off(actor=signer, version=version)
    return version
