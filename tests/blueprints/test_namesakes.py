"""Two 孙学军 on one list are told apart wherever the list is shown; a unique name shows alone.

The village: 孙学军 of 四组 (born 1984, also a cadre) and 孙学军 without a 组别 (born 1949), so
both show their birth year; 张伟 of 三组 and 张伟 of 五组, who show their groups; 王建国 and
李桂兰, whose names are theirs alone.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from starrating.extensions import db
from starrating.models import AssessmentYear, Cadre, User, Village
from starrating.models.types import utcnow
from starrating.queries.assessment import assessed_members, year_of, year_results
from starrating.rules.assessment_state import YearState
from starrating.rules.electorate import Electorate
from starrating.rules.result_versions import Part
from starrating.rules.tenstar_scheme import StarGroup, default_tenstar_scheme
from starrating.rules.vocabulary import Role
from starrating.services.assessment import close_marking, confirm_excellence
from starrating.services.ballots import create_round, generate_codes, open_round
from starrating.services.marking import record_marks
from starrating.services.review import publish_results
from starrating.web import china_today
from tests.blueprints.publicity import hold_member_ballot
from tests.factories import (
    counting_queries,
    create_member,
    create_user,
    create_village,
    login,
    open_assessment,
    signed_off,
)

YEAR = 2026
ROSTER = [  # name, 组别, birth date
    ("孙学军", "四组", date(1984, 5, 14)),
    ("王建国", "二组", date(1956, 3, 2)),
    ("孙学军", None, date(1949, 1, 24)),
    ("张伟", "三组", date(1968, 7, 1)),
    ("李桂兰", None, date(1960, 2, 2)),
    ("张伟", "五组", date(1975, 9, 9)),
]
LABELS = [
    "孙学军（1984年生）",
    "王建国",
    "孙学军（1949年生）",
    "张伟（三组）",
    "李桂兰",
    "张伟（五组）",
]
ORGANISATIONAL = [s.code for s in default_tenstar_scheme().stars if s.group is not StarGroup.MASS]


@dataclass(frozen=True)
class Namesakes:
    village_code: str
    secretary: str  # username
    round_id: int
    codes: list[str]
    assessed_ids: list[int]  # in roster order


def namesake_village(*, name: str = "翁家埠村") -> tuple[Village, User]:
    """The roster above, the year open with the secretary as the rater, and two cadres: 孙学军
    of 四组 (村委会委员, his member record named) and 李永利 (村委会主任)."""
    village = create_village(name=name)
    secretary = create_user(role=Role.SECRETARY, village=village)
    members = [
        create_member(village=village, name=n, village_group=group, birth_date=born)
        for n, group, born in ROSTER
    ]
    for cadre_name, post, member in (
        ("孙学军", "村委会委员", members[0]),
        ("李永利", "村委会主任", None),
    ):
        db.session.add(
            Cadre(village=village, name=cadre_name, post=post, member=member, base_pay=Decimal(1))
        )
    open_assessment(village=village, secretary=secretary, raters=[secretary], year=YEAR)
    return village, secretary


def assembly(*, codes: int = 3) -> Namesakes:
    """Marking open, and the villagers' ballot on members and cadres open, with codes (with
    codes=0: the ballot still a draft, its codes not yet printed)."""
    village, secretary = namesake_village()
    ballot_round = create_round(
        actor=secretary,
        village=village,
        year=YEAR,
        title="2026 年度党员和村干部民主测评",
        members=True,
        cadres=True,
        electorate=Electorate.VILLAGERS,
        eligible=100,
    )
    printed = (
        generate_codes(actor=secretary, ballot_round=ballot_round, count=codes) if codes else []
    )
    if codes:
        open_round(actor=secretary, ballot_round=ballot_round)
    db.session.commit()
    assessed = [a.id for a in assessed_members(ballot_round.assessment_year_id or 0)]
    return Namesakes(
        village.code, secretary.username, ballot_round.id, [c.code for c in printed], assessed
    )


def published() -> Namesakes:
    """Every member with all ten stars: six eligible for 优秀, two allowed; the 支委会 picked
    孙学军 of 四组 and 张伟 of 三组, and the results are on the board."""
    village, secretary = namesake_village()
    year_members = assessed_members(_year(village).id)
    for assessed in year_members:
        record_marks(rater=secretary, assessed=assessed, marks=dict.fromkeys(ORGANISATIONAL, True))
    db.session.commit()
    hold_member_ballot(village, secretary)
    year = _year(village)
    close_marking(actor=secretary, year=year)
    quota = year_results(year).quota
    confirm_excellence(
        actor=secretary,
        year=year,
        member_ids={year_members[0].id, year_members[3].id},
        reason="经支委会讨论，按星数和群众满意率确定",
        eligible_ids={c.member_id for c in quota.candidates},
        quota=quota.quota,
    )
    signed_off(year, Part.TENSTAR)
    publish_results(actor=secretary, year=year, today=china_today())
    db.session.commit()
    return Namesakes(village.code, secretary.username, 0, [], [a.id for a in year_members])


def _year(village: Village) -> AssessmentYear:
    found = year_of(village.id, YEAR)
    assert found is not None
    return found


def html_of(label: str) -> str:
    """A label as a page writes it: the detail in its own span."""
    name, bracket, detail = label.partition("（")
    return f'{name}<span class="namesake">（{detail}</span>' if bracket else name


def _in_order(html: str, texts: list[str]) -> bool:
    at = 0
    for text in texts:
        at = html.find(text, at)
        if at < 0:
            return False
        at += len(text)
    return True


# --- the villager's ballot and the secretary's pages --------------------------------------------


def test_the_ballot_tells_the_two_孙学军_apart_and_the_cadre_is_the_member_he_is(app, client):
    world = assembly()
    client.get(f"/v/{world.village_code}/t/{world.codes[0]}")
    html = client.get(f"/v/{world.village_code}/ballot").get_data(as_text=True)
    shown = [f'<span class="name">{html_of(label)}</span>' for label in LABELS]
    cadres = [
        f'<span class="name">{html_of(label)}</span>' for label in ("孙学军（1984年生）", "李永利")
    ]
    assert _in_order(html, shown + cadres)
    assert '<span class="name">孙学军</span>' not in html
    assert "1984-05-14" not in html and "05-14" not in html  # the year only, never the date


def test_the_ballot_loads_what_tells_namesakes_apart_in_one_query(app, client):
    world = assembly()
    client.get(f"/v/{world.village_code}/t/{world.codes[0]}")
    with counting_queries() as statements:
        client.get(f"/v/{world.village_code}/ballot")
    assert sum("birth_date" in s and "ballot_subject" in s for s in statements) == 1


def test_the_marking_list_and_page_tell_the_namesakes_apart(app, client):
    world = assembly()
    secretary = db.session.scalar(db.select(User).filter_by(username=world.secretary))
    login(client, secretary)
    listing = client.get("/branch/marking").get_data(as_text=True)
    assert _in_order(listing, [f'<span class="name">{html_of(label)}' for label in LABELS])
    page = client.get(f"/branch/marking/{YEAR}/{world.assessed_ids[2]}").get_data(as_text=True)
    assert f"<h1>{html_of('孙学军（1949年生）')}</h1>" in page


def test_the_paper_keying_page_and_the_round_page_tell_the_namesakes_apart(app, client):
    world = assembly()
    secretary = db.session.scalar(db.select(User).filter_by(username=world.secretary))
    login(client, secretary)
    for path in (f"/branch/rounds/{world.round_id}", f"/branch/rounds/{world.round_id}/paper"):
        html = client.get(path).get_data(as_text=True)
        labels = [*LABELS, "孙学军（1984年生）", "李永利"]
        assert _in_order(html, [html_of(label) for label in labels]), path


# --- the board, the quota list and the township's review ---------------------------------------


def test_the_board_tells_the_namesakes_apart_without_a_birth_date(app, client):
    world = published()
    html = client.get(f"/{world.village_code}/board").get_data(as_text=True)
    assert _in_order(html, [f'<td class="name">{html_of(label)}</td>' for label in LABELS])
    assert "1984-05" not in html and "1949-01" not in html


def test_the_excellence_quota_list_tells_the_namesakes_apart(app, client):
    world = published()
    secretary = db.session.scalar(db.select(User).filter_by(username=world.secretary))
    login(client, secretary)
    html = client.get(f"/branch/years/{YEAR}/results").get_data(as_text=True)
    candidates = html[
        html.index('id="candidates"') : html.index("</table>", html.index('id="candidates"'))
    ]
    for label in LABELS:
        assert f">{html_of(label)}</label>" in candidates


def test_the_township_review_tells_the_namesakes_apart(app, client):
    world = published()
    village = db.session.scalar(db.select(Village).filter_by(code=world.village_code))
    year = _year(village)
    # what submitting leaves (the cadres' results, which submission also waits for, play no part)
    year.state, year.submitted_at = YearState.SUBMITTED, utcnow()
    reviewer = create_user(role=Role.TOWNSHIP, township=village.township)
    db.session.commit()
    login(client, reviewer)
    html = client.get(f"/township/villages/{village.id}/years/{YEAR}/review").get_data(as_text=True)
    needing = html[html.index('id="needing"') :]
    chosen = [
        f"<strong>{html_of(label)}</strong>" for label in ("孙学军（1984年生）", "张伟（三组）")
    ]
    assert _in_order(needing, chosen)
