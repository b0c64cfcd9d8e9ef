"""A whole ballot with phones and paper through the pages, from printing to the grades.

The same 70 ballots as test_ballot_end_to_end.py (MARKS there, every figure worked out by hand),
but ballots 61–70 come back on paper: a teller keys each sheet, a committee member keys it again
(one sheet mistyped, found on the disagreements page and corrected), and 60 villagers vote on
their phones. After close the teller and the committee member certify the tally; only then do
the mass stars follow from it.
"""

import re
from html import unescape

from sqlalchemy import func, select

from starrating.extensions import db
from starrating.models import BallotReceipt, CastBallot
from starrating.rules.tokens import normalised
from starrating.rules.vocabulary import Role
from tests.blueprints.test_ballot_end_to_end import (  # noqa: F401  (branch is a fixture)
    CODE,
    ELIGIBLE,
    PRINTED,
    YEAR,
    ballots_by_hand,
    branch,
    cells,
    vote_on_a_phone,
)
from tests.factories import create_user, login

PHONES, SHEETS = 60, 10
ORDER = ["甲", "乙", "丙", "丁", "村干部甲"]  # the sheet's rows: the members, then the cadre
DIGIT = {"satisfied": "1", "basic": "2", "dissatisfied": "3", "unknown": "4", None: "0"}


def digits(marks: dict[str, str | None]) -> str:
    return "".join(DIGIT[marks[name]] for name in ORDER)


def flashed(response) -> str:
    return " ".join(
        unescape(m) for m in re.findall(r'<div class="flash[^"]*"[^>]*>([^<]*)</div>', response)
    )


def test_sixty_phones_and_ten_double_keyed_sheets_give_the_figures_worked_by_hand(
    app,
    client,
    branch,  # noqa: F811  (the fixture imported above)
):
    village, year = branch
    teller, committee = app.test_client(), app.test_client()
    login(teller, create_user(role=Role.TELLER, village=village))
    login(committee, create_user(role=Role.COMMITTEE, village=village))

    # --- the secretary sets up the round, prints 100 codes and opens it ----------------------
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
    round_url = created.location
    printed = client.post(
        f"{round_url}/codes", data={"count": PRINTED, "issued": 0, "address_confirmed": "y"}
    )
    codes = sorted(set(CODE.findall(printed.get_data(as_text=True))))
    assert len(codes) == PRINTED
    assert client.post(f"{round_url}/open").status_code == 303
    ballots = ballots_by_hand()

    # --- 60 villagers vote on their phones ---------------------------------------------------
    for code, marks in zip(codes[:PHONES], ballots[:PHONES], strict=True):
        vote_on_a_phone(app, village, normalised(code), marks)

    # --- 10 sheets come back on paper: keyed by the teller, then by a committee member ------
    sheets = list(zip(codes[PHONES:70], ballots[PHONES:70], strict=True))
    paper_url = f"{round_url}/paper"
    for code, marks in sheets:
        keyed = teller.post(paper_url, data={"code": code, "digits": digits(marks)})
        assert keyed.status_code == 302
        assert "已录入，等待另一人复核" in flashed(teller.get(paper_url).get_data(as_text=True))
    mistyped_code, mistyped_marks = sheets[3]
    for code, marks in sheets:
        typed = digits(marks)
        if code == mistyped_code:  # 乙's row read as 3 instead of what the sheet says
            typed = typed[0] + ("3" if typed[1] != "3" else "1") + typed[2:]
        committee.post(paper_url, data={"code": code, "digits": typed})
        outcome = flashed(committee.get(paper_url).get_data(as_text=True))
        expected = "与另一人的录入不一致" if code == mistyped_code else "两人录入一致，已计入"
        assert expected in outcome, (code, outcome)

    # --- the disagreement, side by side, corrected against the paper ------------------------
    listed = committee.get(f"{paper_url}/disagreements").get_data(as_text=True)
    assert len(re.findall(r'class="card disagreement"', listed)) == 1  # the mistyped sheet
    assert len(re.findall(r"data-differs=", listed)) == 1  # only 乙's row differs
    (entry_url,) = re.findall(r'action="([^"]+/paper/entries/\d+)"', listed)
    corrected = committee.post(entry_url, data={"digits": digits(mistyped_marks)})
    assert corrected.status_code == 302
    after = committee.get(f"{paper_url}/disagreements").get_data(as_text=True)
    assert "两人录入一致，已计入" in flashed(after) and "没有录入不一致的选票" in after

    # --- turnout: 60 on phones + 10 on paper = 70, each counted once -------------------------
    page = client.get(round_url).get_data(as_text=True)
    for figure, element in [("70 / 120", "returned"), ("60", "phone"), ("10", "paper")]:
        assert f'<strong id="turnout-{element}">{figure}</strong>' in page, element
    assert db.session.scalar(select(func.count(CastBallot.id))) == 70  # 60 + 10
    receipts = db.session.scalars(select(BallotReceipt.receipt)).all()
    assert len(set(receipts)) == 70 and all(len(r) == 8 for r in receipts)  # sheets get one too
    assert client.post(f"{round_url}/close").status_code == 303

    # --- the tally: the same figures as 70 phone ballots -------------------------------------
    html = client.get(f"{round_url}/tally").get_data(as_text=True)
    for figure, label in [
        (120, "应参加"),
        (100, "发出"),
        (70, "收回"),  # 60 phones + 10 sheets
        (69, "有效票"),  # ballot 70 (a sheet of all 0s) is blank on every row: a 空白票
        (1, "空白票"),
        ("58.3%", "参与率"),  # 70 / 120 = 58.33 %
    ]:
        assert f"<strong>{figure}</strong><span>{label}</span>" in html, label
    assert "已达法定人数" in html  # 70 ≥ 120 / 2 = 60
    assert 'id="uncertified"' in html
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

    # --- before certification the mass stars wait; the teller and a committee member sign ---
    waiting = cells(
        client.get(f"/branch/years/{YEAR}/results").get_data(as_text=True), "data-member-id"
    )
    assert {row[10] for row in waiting.values()} == {"待测评"}
    certify_url = f"{round_url}/certify"
    refused = teller.post(certify_url, follow_redirects=True).get_data(as_text=True)
    assert "还没有核销未使用的票码" in flashed(refused)
    # the 30 codes printed and never used are written off by the committee member
    written_off = committee.post(f"{round_url}/write-off", follow_redirects=True)
    assert "已核销未使用的票码 30 张" in flashed(written_off.get_data(as_text=True))
    assert "还需另一人确认" in flashed(
        teller.post(certify_url, follow_redirects=True).get_data(as_text=True)
    )
    assert "结果生效" in flashed(
        committee.post(certify_url, follow_redirects=True).get_data(as_text=True)
    )
    signed = teller.get(f"{round_url}/certification").get_data(as_text=True)
    assert signed.count("确认</li>") == 2
    assert "纸质选票 10 张" in signed and "手机投票 60 张" in signed

    # --- the year's results -----------------------------------------------------------------
    table = cells(
        client.get(f"/branch/years/{YEAR}/results").get_data(as_text=True), "data-member-id"
    )
    assert {name: row[10:12] for name, row in table.items()} == {
        "甲": ["★", "★"],  # 认可 95.2 % ≥ 80 %; 满意 79.4 % ≥ 60 %
        "乙": ["★", ""],  # 认可 87.3 % ≥ 80 %; 满意 47.6 % < 60 %
        "丙": ["★", ""],  # 认可 52/65 = 80.0 % ≥ 80 % (exactly); 满意 55.4 % < 60 %
        "丁": ["样本不足", "样本不足"],  # valid 4 < 5
    }
    assert {name: (row[12], row[13]) for name, row in table.items()} == {
        "甲": ("10", "优秀 十星党员"),  # 4 basic + 4 vanguard + 2 mass = 10
        "乙": ("7", "合格"),  # 4 basic + 2 vanguard + 1 mass = 7
        "丙": ("8", "基本合格"),  # 3 basic + 4 vanguard + 1 mass = 8, but only 3 basic
        "丁": ("2", "不合格"),  # 2 basic, no vanguard, no mass (样本不足)
    }

    # after close and certification, the village's public list holds exactly the 70 counted
    # receipts (phone and paper) and nothing else
    public = app.test_client().get(f"/v/{village.code}/receipts").get_data(as_text=True)
    listed = set(re.findall(r"\b[2-9A-HJ-NP-Z]{8}\b", public))
    assert listed == set(receipts)
