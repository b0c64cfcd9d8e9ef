"""Benchmark: render the ten-star pages of a 200-member branch and print median times.

    .venv/bin/python benchmarks/tenstar_pages.py [--members 200] [--raters 5] [--runs 40]

Builds a fresh SQLite database in a temporary folder (or uses STARRATING_DATABASE_URL, e.g. an
empty PostgreSQL database, when --database-url is given), fills it with one village of N members,
R raters who marked every member on every organisational star, and times each page through the
Flask test client (the whole request: routing, queries, rules, template). The roster page of the
same branch, which existed before the ten-star pages, is timed in the same run as the baseline.
Not part of the test suite; figures go to docs/PERFORMANCE.md.
"""

import argparse
import statistics
import tempfile
import time
from datetime import date
from pathlib import Path

from flask_migrate import upgrade
from sqlalchemy import insert

from starrating import create_app
from starrating.extensions import db
from starrating.models import Member, StarMark
from starrating.queries.assessment import assessed_members
from starrating.rules.vocabulary import Gender, MemberCategory, Membership, Role
from starrating.services.assessment import open_year
from starrating.services.org import create_township, create_user, create_village
from starrating.services.schemes import create_scheme

PASSWORD = "bench-pass-1"  # noqa: S105


def build(members: int, raters: int) -> dict[str, object]:
    township = create_township(name="基准镇")
    village = create_village(township=township, name="基准村", code="bench", actor=None)
    secretary, _ = create_user(
        actor=None,
        username="bench-shuji",
        display_name="书记",
        role=Role.SECRETARY,
        village=village,
        password=PASSWORD,
    )
    committee = [
        create_user(
            actor=None,
            username=f"bench-zhiwei{i}",
            display_name=f"支委{i}",
            role=Role.COMMITTEE,
            village=village,
            password=PASSWORD,
        )[0]
        for i in range(raters)
    ]
    for user in (secretary, *committee):
        user.must_change_password = False
    db.session.execute(
        insert(Member),
        [
            {
                "village_id": village.id,
                "name": f"党员{i:03d}",
                "gender": Gender.MALE,
                "birth_date": date(1950 + i % 40, 1 + i % 12, 1 + i % 28),
                "joined_on": None,
                "membership": Membership.FULL,
                "category": MemberCategory.ORDINARY,
            }
            for i in range(members)
        ],
    )
    scheme = create_scheme(actor=secretary, township=township, year=2026)
    year = open_year(
        actor=secretary, village=village, year=2026, rater_ids=[user.id for user in committee]
    )
    codes = [s.code for s in scheme.tenstar.stars if s.measure is None]
    assessed = assessed_members(year.id)
    db.session.execute(
        insert(StarMark),
        [
            {
                "year_id": year.id,
                "assessed_member_id": a.id,
                "rater_id": rater.id,
                "star_code": code,
                "passed": (a.id + rater.id + len(code)) % 5 != 0,
            }
            for a in assessed
            for rater in committee
            for code in codes
        ],
    )
    db.session.commit()
    return {"rater": committee[0].username, "member": assessed[len(assessed) // 2].id}


def timed(client, url: str, runs: int) -> list[float]:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        response = client.get(url)
        samples.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200
    return samples


def login(app, username: str):
    client = app.test_client()
    client.post("/login", data={"username": username, "password": PASSWORD})
    return client


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=200)
    parser.add_argument("--raters", type=int, default=5)
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="starrating-bench-"))
    url = args.database_url or f"sqlite:///{folder / 'bench.sqlite'}"
    app = create_app(
        {
            "SECRET_KEY": "bench",
            "SQLALCHEMY_DATABASE_URI": url,
            "WTF_CSRF_ENABLED": False,
            "PASSWORD_HASH_PROFILE": "fast",
        }
    )
    with app.app_context():
        upgrade()
        ids = build(args.members, args.raters)
    secretary, rater = login(app, "bench-shuji"), login(app, str(ids["rater"]))
    pages = [
        ("baseline: roster (secretary)", secretary, "/branch/members"),
        ("results (secretary)", secretary, "/branch/years/2026/results"),
        ("year overview + progress grid (secretary)", secretary, "/branch/years/2026"),
        ("marking list (rater)", rater, "/branch/marking"),
        ("mark one member (rater)", rater, f"/branch/marking/2026/{ids['member']}"),
    ]
    print(
        f"{args.members} members, {args.raters} raters, {args.runs} runs each, "
        f"{app.config['SQLALCHEMY_DATABASE_URI'].split(':')[0]}"
    )
    baseline = None
    for label, client, path in pages:
        samples = timed(client, path, args.runs)
        median = statistics.median(samples)
        baseline = baseline or median
        p90 = statistics.quantiles(samples, n=10)[-1]
        print(
            f"  {label:<44} median {median:7.1f} ms   p90 {p90:7.1f} ms   "
            f"× baseline {median / baseline:4.1f}"
        )


if __name__ == "__main__":
    main()
