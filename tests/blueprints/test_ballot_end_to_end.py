"""A whole member and cadre ballot through the pages, from printing the codes to the grades.

The secretary creates the round, prints 100 codes, opens it; 70 villagers vote on their phones
(each a phone of its own: scan, ballot, submit); the secretary closes it and reads the tally; a
teller and a committee member certify it; then the year's results and each member's page. Every
figure is worked out by hand below.

Organisational marks (one rater, so a star is awarded when that rater says 达标) are recorded
through the marking service; they only set the scene for the grades.
"""

import re
from decimal import Decimal
from html import unescape

import pytest

from starrating.extensions import db
from starrating.models import Cadre
from starrating.queries.assessment import assessed_members
from starrating.rules.tenstar_scheme import StarGroup, default_tenstar_scheme
from starrating.rules.tokens import normalised
from starrating.rules.vocabulary import Role
from starrating.services.marking import record_marks
from starrating.web import ballot_address
from tests.factories import create_member, create_user, create_village, login, open_assessment

YEAR = 2026
ELIGIBLE, PRINTED, VOTERS = 120, 100, 70
CODE = re.compile(r"\b[2-9A-HJKMNP-Z]{5}-[2-9A-HJKMNP-Z]{5}\b")
SCHEME = default_tenstar_scheme()
BASIC = [s.code for s in SCHEME.stars if s.group is StarGroup.BASIC]
VANGUARD = [s.code for s in SCHEME.stars if s.group is StarGroup.VANGUARD]

# Each row of the ballot: how many of the 70 ballots tick 满意, 基本满意, 不满意, 不了解, and how
# many leave it blank. The blanks are the last ballots, so ballot 70 is blank on every row (one
# 空白票) and no other ballot is.
MARKS = {
    "甲": (50, 10, 3, 5, 2),
    "乙": (30, 25, 8, 4, 3),
    "丙": (36, 16, 13, 4, 1),
    "丁": (2, 1, 1, 60, 6),
    "村干部甲": (42, 14, 7, 4, 3),  # the cadre (the factory's display name)
}
CHOICES = ("satisfied", "basic", "dissatisfied", "unknown", None)

# Organisational stars (达标 = True) for each member: basic stars, then vanguard stars.
ORGANISATIONAL = {
    "甲": ([True] * 4, [True] * 4),
    "乙": ([True] * 4, [True, True, False, False]),
    "丙": ([True, True, True, False], [True] * 4),
    "丁": ([True, True, False, False], [False] * 4),
}


def create_cadre(*, village, name="村干部甲", post="村委会主任"):
    """A cadre on the village's cadre list (the ballot's cadre section lists these)."""
    cadre = Cadre(village=village, name=name, post=post, base_pay=Decimal("24000.00"))
    db.session.add(cadre)
    db.session.commit()
    return cadre


def ballots_by_hand() -> list[dict[str, str | None]]:
    """Ballot i's mark for each subject name, from the counts in MARKS."""
    columns = {
        name: [c for c, n in zip(CHOICES, counts, strict=True) for _ in range(n)]
        for name, counts in MARKS.items()
    }
    assert all(len(column) == VOTERS for column in columns.values())
    return [{name: column[i] for name, column in columns.items()} for i in range(VOTERS)]


@pytest.fixture
def branch(app, client):
    village = create_village(name="翁家埠村")
    secretary = create_user(role=Role.SECRETARY, village=village)
    for name in ORGANISATIONAL:
        create_member(village=village, name=name)
    create_cadre(village=village)
    year = open_assessment(village=village, secretary=secretary, raters=[secretary], year=YEAR)
    for assessed in assessed_members(year.id):
        basic, vanguard = ORGANISATIONAL[assessed.member.name]
        marks = dict(zip(BASIC, basic, strict=True)) | dict(zip(VANGUARD, vanguard, strict=True))
        record_marks(rater=secretary, assessed=assessed, marks=marks)
    db.session.commit()
    login(client, secretary)
    return village, year


def cells(html: str, row_attribute: str) -> dict[str, list[str]]:
    """Each table row with data-<row_attribute>, keyed by its name cell: the cells' text."""
    rows = re.findall(rf'<tr {row_attribute}="\d+">(.*?)</tr>', html, flags=re.S)
    table = {}
    for row in rows:
        texts = [
            re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", "", cell))).strip()
            for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, flags=re.S)
        ]
        table[texts[1]] = texts
    return table


def vote_on_a_phone(app, village, code: str, marks: dict[str, str | None]) -> None:
    """One villager: scan the printed QR, open the ballot, tick the boxes, submit."""
    phone = app.test_client()
    with app.test_request_context():
        address = ballot_address(village.code, code)
    scanned = phone.get(address)
    assert scanned.status_code == 302 and scanned.location.endswith("/ballot")
    form = phone.get(scanned.location).get_data(as_text=True)
    rows = dict(re.findall(r'<span class="name">([^<]+)</span>.*?name="(s-\d+)"', form, re.S))
    data = {rows[name]: choice for name, choice in marks.items() if choice is not None}
    cast = phone.post(scanned.location, data=data)
    assert cast.status_code == 200, cast.get_data(as_text=True)
    assert "回执码" in cast.get_data(as_text=True)


def test_seventy_phone_ballots_give_the_counts_rates_stars_and_grades_worked_by_hand(
    app, client, branch
):
    village, year = branch
    signers = [app.test_client(), app.test_client()]
    for signer, role in zip(signers, (Role.TELLER, Role.COMMITTEE), strict=True):
        login(signer, create_user(role=role, village=village))

    # --- the secretary sets up the round and prints the codes -------------------------------
    created = client.post(
        "/branch/rounds",
        data={
            "title": "2026 年度民主测评",
            "year": YEAR,
            "members": "y",
            "cadres": "y",
            "electorate": "villagers",
            "eligible": ELIGIBLE,
        },
    )
    assert created.status_code == 302, created.get_data(as_text=True)
    round_url = created.location
    printed = client.post(
        f"{round_url}/codes", data={"count": PRINTED, "issued": 0, "address_confirmed": "y"}
    )
    assert printed.status_code == 200
    codes = sorted(set(CODE.findall(printed.get_data(as_text=True))))
    assert len(codes) == PRINTED and all(normalised(code) for code in codes)
    assert client.post(f"{round_url}/open").status_code == 303

    # --- 70 villagers vote on their phones --------------------------------------------------
    for code, marks in zip(codes, ballots_by_hand(), strict=False):
        vote_on_a_phone(app, village, normalised(code), marks)
    while_open = client.get(f"{round_url}/tally").get_data(as_text=True)
    assert "投票结束后才能查看结果" in while_open  # nobody sees results while it is open
    assert client.post(f"{round_url}/close").status_code == 303

    # --- the tally --------------------------------------------------------------------------
    tally = client.get(f"{round_url}/tally")
    html = tally.get_data(as_text=True)
    assert tally.status_code == 200
    for figure, label in [
        (120, "应参加"),
        (100, "发出"),
        (70, "收回"),
        (69, "有效票"),  # ballot 70 is blank on every row: a 空白票, returned but not valid
        (1, "空白票"),
        ("58.3%", "参与率"),  # 70 / 120 = 58.33 %
    ]:
        assert f"<strong>{figure}</strong><span>{label}</span>" in html, label
    assert "已达法定人数" in html  # 70 ≥ 120 / 2 = 60

    #  position, name, 满意, 基本满意, 不满意, 不了解, 空白, 有效, 认可率, 满意率, 不满意率
    assert cells(html, "data-subject-id") == {
        # valid 50+10+3 = 63; 认可 (50+10)/63 = 95.24 %; 满意 50/63 = 79.37 %; 不满意 3/63 = 4.76 %
        "甲": ["1", "甲", "50", "10", "3", "5", "2", "63", "95.2%", "79.4%", "4.8%"],
        # valid 30+25+8 = 63; 认可 55/63 = 87.30 %; 满意 30/63 = 47.62 %; 不满意 8/63 = 12.70 %
        "乙": ["2", "乙", "30", "25", "8", "4", "3", "63", "87.3%", "47.6%", "12.7%"],
        # valid 36+16+13 = 65; 认可 52/65 = 80.00 % exactly; 满意 36/65 = 55.38 %; 13/65 = 20 %
        "丙": ["3", "丙", "36", "16", "13", "4", "1", "65", "80.0%", "55.4%", "20.0%"],
        # valid 2+1+1 = 4; 认可 3/4 = 75 %; 满意 2/4 = 50 %; 不满意 1/4 = 25 %
        "丁": ["4", "丁", "2", "1", "1", "60", "6", "4", "75.0%", "50.0%", "25.0%"],
        # valid 42+14+7 = 63; 认可 56/63 = 88.89 %; 满意 42/63 = 66.67 %; 不满意 7/63 = 11.11 %;
        # 测评得分 = (42×100 + 14×70 + 7×30) / 63 = (4200 + 980 + 210) / 63 = 5390 / 63 = 85.56
        "村干部甲": [
            "5", "村干部甲", "42", "14", "7", "4", "3", "63", "88.9%", "66.7%", "11.1%", "85.6",
        ],
    }  # fmt: skip

    # --- the teller and a committee member certify the tally: only now does it decide ---------
    waiting = client.get(f"/branch/years/{YEAR}/results").get_data(as_text=True)
    assert {row[10] for row in cells(waiting, "data-member-id").values()} == {"待测评"}
    # the codes printed and never used are written off by the committee member first (核销)
    assert signers[1].post(f"{round_url}/write-off").status_code == 303
    for signer in signers:
        assert signer.post(f"{round_url}/certify").status_code == 302
    assert "结果生效" in client.get(f"{round_url}/tally").get_data(as_text=True)

    # --- the year's results -----------------------------------------------------------------
    results = client.get(f"/branch/years/{YEAR}/results").get_data(as_text=True)
    table = cells(results, "data-member-id")
    #  columns: 序号, 姓名, 10 stars (8 organisational, 群众认可星, 群众满意星), 星数, 等次
    stars = {name: row[2:12] for name, row in table.items()}
    counted = {name: (row[12], row[13]) for name, row in table.items()}
    assert {name: s[8:] for name, s in stars.items()} == {
        "甲": ["★", "★"],  # 认可 95.2 % ≥ 80 %; 满意 79.4 % ≥ 60 %
        "乙": ["★", ""],  # 认可 87.3 % ≥ 80 %; 满意 47.6 % < 60 %
        "丙": ["★", ""],  # 认可 52/65 = 80.0 % ≥ 80 % (exactly); 满意 55.4 % < 60 %
        "丁": ["样本不足", "样本不足"],  # valid 4 < 5
    }
    assert counted == {
        "甲": ("10", "优秀 十星党员"),  # 4 basic + 4 vanguard + 2 mass = 10: all basic, ≥ 8
        "乙": ("7", "合格"),  # 4 basic + 2 vanguard + 1 mass = 7: all basic, < 8
        "丙": ("8", "基本合格"),  # 3 basic + 4 vanguard + 1 mass = 8, but only 3 basic
        "丁": ("2", "不合格"),  # 2 basic, no vanguard, no mass (样本不足): ≤ 2 basic
    }

    # --- each member's page explains the mass stars ------------------------------------------
    ids = {a.member.name: a.id for a in assessed_members(year.id)}
    expected = {
        "甲": [
            "有效票 63，满意+基本满意 60，认可率 95.2% ≥ 80%，授星",
            "满意 50，满意率 79.4% ≥ 60%",
        ],
        "乙": ["满意+基本满意 55，认可率 87.3% ≥ 80%，授星", "满意 30，满意率 47.6% < 60%，不授星"],
        "丙": ["有效票 65，满意+基本满意 52，认可率 80.0% ≥ 80%，授星", "满意率 55.4% < 60%"],
        "丁": ["有效票 4，少于最低 5 票，样本不足，不授星"],
    }
    for name, lines in expected.items():
        page = unescape(
            client.get(f"/branch/years/{YEAR}/members/{ids[name]}").get_data(as_text=True)
        )
        for line in lines:
            assert line in page, (name, line)
    jia = client.get(f"/branch/years/{YEAR}/members/{ids['甲']}").get_data(as_text=True)
    assert "十星党员" in jia and "优秀" in jia
