"""Plain keyword-only factories for tests; passwords are hashed once, with the fast profile."""

from datetime import date
from itertools import count
from typing import Any

from argon2 import PasswordHasher

from starrating.extensions import db
from starrating.models import Member, Township, User, Village
from starrating.rules.vocabulary import Gender, MemberCategory, Membership, Role

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
) -> User:
    if role.is_village_role:
        village = village or create_village()
        township = village.township
    else:
        township = township or create_township()
    user = User(
        username=username or f"{role.value}{next(_serial)}",
        display_name=f"{role.label}甲",
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
