"""The ten-star pages run as many queries for 200 members as for 10 (no query per row)."""

from datetime import date

import pytest
from sqlalchemy import insert

from starrating.extensions import db
from starrating.models import Member, StarMark
from starrating.queries.assessment import assessed_members
from starrating.rules.tenstar_scheme import default_tenstar_scheme
from starrating.rules.vocabulary import Gender, MemberCategory, Membership, Role
from tests.factories import PASSWORD, counting_queries, create_user, create_village, open_assessment

ORGANISATIONAL = [s.code for s in default_tenstar_scheme().stars if s.measure is None]


def _branch(size: int):
    """A village with size members, all marked by 3 raters on every organisational star."""
    village = create_village()
    secretary = create_user(role=Role.SECRETARY, village=village)
    raters = [create_user(role=Role.COMMITTEE, village=village) for _ in range(3)]
    db.session.execute(
        insert(Member),
        [
            {
                "village_id": village.id,
                "name": f"党员{i:03d}",
                "gender": Gender.FEMALE,
                "birth_date": date(1960, 1, 1 + i % 28),
                "joined_on": None,
                "membership": Membership.PROBATIONARY if i % 7 == 0 else Membership.FULL,
                "category": MemberCategory.ORDINARY,
                "note": str(i),
            }
            for i in range(size)
        ],
    )
    db.session.commit()
    year = open_assessment(village=village, secretary=secretary, raters=raters)
    members = assessed_members(year.id)
    db.session.execute(
        insert(StarMark),
        [
            {
                "year_id": year.id,
                "assessed_member_id": m.id,
                "rater_id": r.id,
                "star_code": code,
                "passed": (m.id + r.id) % 4 != 0,
            }
            for m in members
            for r in raters
            for code in ORGANISATIONAL
        ],
    )
    db.session.commit()
    return secretary, raters[0], members[len(members) // 2].id


PAGES = {
    "roster": ("secretary", "/branch/members"),
    "results": ("secretary", "/branch/years/2026/results"),
    "year overview and progress": ("secretary", "/branch/years/2026"),
    "marking list": ("rater", "/branch/marking"),
    "mark one member": ("rater", "/branch/marking/2026/{member}"),
}


def _queries_for(app, size: int, who: str, path: str) -> int:
    secretary, rater, member = _branch(size)
    user = secretary if who == "secretary" else rater
    client = app.test_client()
    client.post("/login", data={"username": user.username, "password": PASSWORD})
    url = path.format(member=member)
    assert client.get(url).status_code == 200
    with counting_queries() as statements:
        response = client.get(url)
    assert response.status_code == 200
    return len(statements)


@pytest.mark.parametrize("page", PAGES)
def test_page_queries_do_not_grow_with_members(app, page):
    who, path = PAGES[page]
    small = _queries_for(app, 10, who, path)
    large = _queries_for(app, 200, who, path)
    assert large == small, f"{page}: {small} queries for 10 members, {large} for 200"
    assert small <= 12
