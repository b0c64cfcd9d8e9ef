"""Paper ballots keyed twice and the certified tally (DESIGN.md §6 Paper, Close and tally)."""

import re

import pytest
from sqlalchemy import func, select

from starrating.extensions import db
from starrating.models import BallotRound, CastBallot
from starrating.models.ballots import PaperEntry
from starrating.queries.ballots import member_ballot_counts, subjects, turnout
from starrating.rules.ballots import Choice
from starrating.rules.electorate import Electorate
from starrating.rules.tokens import shown
from starrating.rules.vocabulary import Role
from starrating.services import ServiceError
from starrating.services.ballots import (
    cast_ballot,
    close_round,
    create_round,
    generate_codes,
    open_round,
    void_code,
    write_off_unused_codes,
)
from starrating.services.casting import CodeRefused
from starrating.services.paper import certify_round, correct_paper_entry, key_paper_ballot
from starrating.web import ballot_address
from tests.factories import create_member, create_user, create_village, login, open_assessment

S, B, D, U = Choice.SATISFIED, Choice.BASIC, Choice.DISSATISFIED, Choice.UNKNOWN


class Branch:
    """A village with members 甲 乙 丙 on a member round (10 codes, open), and a logged-in
    teller, committee member and secretary, each with a client of their own."""

    def __init__(self, app):
        self.village = create_village()
        self.secretary = create_user(role=Role.SECRETARY, village=self.village)
        for name in ("甲", "乙", "丙"):
            create_member(village=self.village, name=name)
        self.year = open_assessment(
            village=self.village, secretary=self.secretary, raters=[self.secretary]
        )
        self.teller = create_user(role=Role.TELLER, village=self.village)
        self.committee = create_user(role=Role.COMMITTEE, village=self.village)
        self.round = self.new_round()
        self.codes = [c.code for c in generate_codes(
            actor=self.secretary, ballot_round=self.round, count=10
        )]  # fmt: skip
        open_round(actor=self.secretary, ballot_round=self.round)
        db.session.commit()
        self.round_id = self.round.id
        self.subjects = [s.id for s in subjects(self.round.id)]
        self.clients = {}
        for user in (self.teller, self.committee, self.secretary):
            self.clients[user.role] = app.test_client()
            login(self.clients[user.role], user)

    def new_round(self, village=None, secretary=None) -> BallotRound:
        created = create_round(
            actor=secretary or self.secretary,
            village=village or self.village,
            year=2026,
            title="",
            members=True,
            cadres=False,
            electorate=Electorate.VILLAGERS,
            eligible=10,
        )
        db.session.commit()
        return created

    def key(self, role: Role, code: str, digits: str):
        """Key a sheet on the tellers' page; the response after the redirect (or the refusal)."""
        return self.clients[role].post(
            f"/branch/rounds/{self.round_id}/paper",
            data={"code": shown(code), "digits": digits},
            follow_redirects=True,
        )

    def close(self, *, write_off: bool = True):
        """End voting and, unless told not to, write off the codes never used (核销), as the
        committee member does once every sheet is keyed."""
        ballot_round = db.session.get(BallotRound, self.round_id)
        close_round(actor=self.secretary, ballot_round=ballot_round)
        if write_off:
            write_off_unused_codes(actor=self.committee, ballot_round=ballot_round)
        db.session.commit()
        return ballot_round


@pytest.fixture
def branch(app):
    return Branch(app)


def text(response) -> str:
    return re.sub(r"\s+", " ", response.get_data(as_text=True))


def counted_ballots() -> list[dict]:
    return list(db.session.scalars(select(CastBallot.marks)))


# --- keying twice -------------------------------------------------------------------------------


def test_two_agreeing_keyings_count_the_sheet_once(branch):
    first = branch.key(Role.TELLER, branch.codes[0], "120")
    assert first.status_code == 200 and "已录入，等待另一人复核" in text(first)
    assert turnout(branch.round).paper == 0 and counted_ballots() == []

    second = branch.key(Role.COMMITTEE, branch.codes[0], "1 2 0")  # spaces are ignored
    assert second.status_code == 200 and "两人录入一致，已计入" in text(second)
    counts = turnout(db.session.get(BallotRound, branch.round_id))
    assert (counts.returned, counts.paper, counts.phone) == (1, 1, 0)
    a, b, _ = branch.subjects
    assert counted_ballots() == [{str(a): "satisfied", str(b): "basic"}]  # 丙 left blank
    entries = db.session.scalars(select(PaperEntry)).all()
    assert len(entries) == 2 and all(e.matched_at is not None for e in entries)


def test_the_second_keyer_never_sees_the_first_entry(branch):
    branch.key(Role.TELLER, branch.codes[0], "432")
    page = text(branch.clients[Role.COMMITTEE].get(f"/branch/rounds/{branch.round_id}/paper"))
    assert "不了解" not in page.split('id="paper-check"')[1]
    assert 'value="432"' not in page


def test_a_disagreement_is_listed_side_by_side_and_one_correction_counts_it(branch):
    branch.key(Role.TELLER, branch.codes[0], "123")
    refused = branch.key(Role.COMMITTEE, branch.codes[0], "124")
    assert "与另一人的录入不一致，已列入待核对" in text(refused)
    assert counted_ballots() == []

    url = f"/branch/rounds/{branch.round_id}/paper/disagreements"
    page = branch.clients[Role.COMMITTEE].get(url).get_data(as_text=True)
    _, _, third = branch.subjects
    assert re.findall(r'data-differs="(\d+)"', page) == [str(third)]  # only 丙 differs
    assert "<mark><strong>不满意</strong></mark>" in page  # the teller's 3
    assert "<mark><strong>不了解</strong></mark>" in page  # the committee member's 4
    assert page.count("保存更正") == 1  # each corrects only their own entry

    mine = db.session.scalar(
        select(PaperEntry).where(PaperEntry.keyed_by_id == branch.committee.id)
    )
    corrected = branch.clients[Role.COMMITTEE].post(
        f"/branch/rounds/{branch.round_id}/paper/entries/{mine.id}",
        data={"digits": "123"},
        follow_redirects=True,
    )
    assert "两人录入一致，已计入" in text(corrected)
    assert "没有录入不一致的选票" in text(corrected)
    assert turnout(db.session.get(BallotRound, branch.round_id)).paper == 1
    assert len(counted_ballots()) == 1


def test_nobody_corrects_anothers_entry(branch):
    branch.key(Role.TELLER, branch.codes[0], "123")
    branch.key(Role.COMMITTEE, branch.codes[0], "124")
    theirs = db.session.scalar(select(PaperEntry).where(PaperEntry.keyed_by_id == branch.teller.id))
    with pytest.raises(ServiceError, match="只能更正自己的录入"):
        correct_paper_entry(user=branch.committee, entry=theirs, marks={})


def test_the_same_person_cannot_key_a_sheet_twice(branch):
    branch.key(Role.TELLER, branch.codes[0], "111")
    again = branch.key(Role.TELLER, branch.codes[0], "111")
    assert again.status_code == 422
    assert "同一人不能录入两次，请由另一人复核" in text(again)
    assert counted_ballots() == []


def test_a_third_keying_of_a_disagreeing_sheet_is_refused(branch):
    branch.key(Role.TELLER, branch.codes[0], "111")
    branch.key(Role.COMMITTEE, branch.codes[0], "112")
    third = branch.key(Role.SECRETARY, branch.codes[0], "111")
    assert third.status_code == 422 and "已由两人录入" in text(third)


# --- which codes may be keyed -------------------------------------------------------------------


def test_a_code_used_on_a_phone_is_refused_on_paper(branch):
    cast_ballot(village=branch.village, code=branch.codes[0], marks={})
    db.session.commit()
    refused = branch.key(Role.TELLER, branch.codes[0], "111")
    assert refused.status_code == 422 and "已用手机投过票，纸质票作废" in text(refused)


def test_a_code_counted_on_paper_is_refused_on_the_phone(app, branch):
    branch.key(Role.TELLER, branch.codes[0], "111")
    branch.key(Role.COMMITTEE, branch.codes[0], "111")
    with pytest.raises(CodeRefused) as refused:
        cast_ballot(village=branch.village, code=branch.codes[0], marks={})
    assert refused.value.reason == "used"
    db.session.rollback()
    village = db.session.get(type(branch.village), branch.village.id)
    with app.test_request_context():
        address = ballot_address(village.code, branch.codes[0])
    scanned = app.test_client().get(address, follow_redirects=True)  # the phone scans the QR
    assert "这张选票已经投过了" in scanned.get_data(as_text=True)
    again = branch.key(Role.SECRETARY, branch.codes[0], "111")
    assert "纸质选票已计入，不能再录入" in text(again)


def test_a_code_of_another_round_is_refused(branch):
    other = branch.new_round()
    (theirs,) = generate_codes(actor=branch.secretary, ballot_round=other, count=1)
    db.session.commit()
    refused = branch.key(Role.TELLER, theirs.code, "111")
    assert refused.status_code == 422 and "这张选票不是本次测评的" in text(refused)


def test_a_void_code_and_a_mistyped_code_are_refused(branch):
    ballot_round = db.session.get(BallotRound, branch.round_id)
    void_code(actor=branch.secretary, ballot_round=ballot_round, serial=1, reason="遗失")
    db.session.commit()
    assert "已作废" in text(branch.key(Role.TELLER, branch.codes[0], "111"))
    assert "票码不对" in text(branch.key(Role.TELLER, "ABCDEFGHJK", "111"))


@pytest.mark.parametrize(
    ("digits", "message"),
    [
        ("153", "第 2 位（乙）是“5”，只能是 0–4"),
        ("1x3", "第 2 位（乙）是“x”，只能是 0–4"),
        ("12", "输入了 2 位数字，选票上有 3 人，应为 3 位"),
        ("1234", "输入了 4 位数字，选票上有 3 人，应为 3 位"),
    ],
)
def test_digits_that_no_sheet_gives_are_refused_with_the_position(branch, digits, message):
    refused = branch.key(Role.TELLER, branch.codes[0], digits)
    assert refused.status_code == 422
    assert message in text(refused)
    assert db.session.scalar(select(func.count(PaperEntry.id))) == 0


def test_a_refused_sheet_shows_what_was_read(branch):
    cast_ballot(village=branch.village, code=branch.codes[0], marks={})
    db.session.commit()
    page = text(branch.key(Role.TELLER, branch.codes[0], "140"))
    assert "刚才读到的内容" in page
    assert re.search(r'data-echo="1">不了解<', page) and re.search(r'data-echo="2">空白<', page)


def test_sheets_are_keyed_after_close_until_certification(branch):
    branch.key(Role.TELLER, branch.codes[0], "111")
    ballot_round = branch.close(write_off=False)
    branch.key(Role.COMMITTEE, branch.codes[0], "111")
    assert turnout(ballot_round).paper == 1
    write_off_unused_codes(actor=branch.committee, ballot_round=ballot_round)
    certify_round(user=branch.teller, ballot_round=ballot_round)
    certify_round(user=branch.committee, ballot_round=ballot_round)
    db.session.commit()
    refused = branch.key(Role.TELLER, branch.codes[1], "111")
    assert refused.status_code == 422 and "计票结果已确认，不能再录入" in text(refused)
    with pytest.raises(ServiceError, match="计票结果已确认"):
        key_paper_ballot(
            user=branch.secretary, ballot_round=ballot_round, code=branch.codes[2], marks={}
        )


def test_a_draft_round_and_strangers_subjects_are_refused(branch):
    draft = branch.new_round()
    (code,) = generate_codes(actor=branch.secretary, ballot_round=draft, count=1)
    with pytest.raises(ServiceError, match="还没有开始投票"):
        key_paper_ballot(user=branch.teller, ballot_round=draft, code=code.code, marks={})
    ballot_round = db.session.get(BallotRound, branch.round_id)
    with pytest.raises(ServiceError, match="本次测评之外的对象"):
        key_paper_ballot(
            user=branch.teller, ballot_round=ballot_round, code=branch.codes[0], marks={-1: S}
        )


def test_only_tellers_committee_and_the_secretary_key(branch):
    ballot_round = db.session.get(BallotRound, branch.round_id)
    cadre = create_user(role=Role.CADRE, village=branch.village)
    with pytest.raises(ServiceError, match="计票人、支委委员和书记"):
        key_paper_ballot(user=cadre, ballot_round=ballot_round, code=branch.codes[0], marks={})
    stranger = create_user(role=Role.TELLER)
    with pytest.raises(ServiceError, match="计票人、支委委员和书记"):
        key_paper_ballot(user=stranger, ballot_round=ballot_round, code=branch.codes[0], marks={})


# --- certification ------------------------------------------------------------------------------


def test_certification_needs_two_people_one_of_them_a_teller(branch):
    ballot_round = branch.close()
    assert certify_round(user=branch.committee, ballot_round=ballot_round) is False
    with pytest.raises(ServiceError, match="您已确认过"):
        certify_round(user=branch.committee, ballot_round=ballot_round)
    assert certify_round(user=branch.secretary, ballot_round=ballot_round) is False  # no teller
    assert ballot_round.certified_at is None
    assert certify_round(user=branch.teller, ballot_round=ballot_round) is True
    assert ballot_round.certified_at is not None


def test_certification_through_the_page(branch):
    branch.close()
    url = f"/branch/rounds/{branch.round_id}/certify"
    alone = branch.clients[Role.TELLER].post(url, follow_redirects=True)
    assert "还需另一人确认" in text(alone)
    assert db.session.get(BallotRound, branch.round_id).certified_at is None
    both = branch.clients[Role.COMMITTEE].post(url, follow_redirects=True)
    assert "计票结果已由两人确认，结果生效" in text(both)
    assert db.session.get(BallotRound, branch.round_id).certified_at is not None
    page = text(branch.clients[Role.SECRETARY].get(f"/branch/rounds/{branch.round_id}/tally"))
    assert 'id="certified"' in page


def test_certification_before_close_is_refused(branch):
    refused = branch.clients[Role.TELLER].post(
        f"/branch/rounds/{branch.round_id}/certify", follow_redirects=True
    )
    assert "投票结束后才能确认计票结果" in text(refused)


def test_certification_with_sheets_pending_is_refused(branch):
    branch.key(Role.TELLER, branch.codes[0], "111")
    branch.key(Role.TELLER, branch.codes[1], "111")
    branch.key(Role.COMMITTEE, branch.codes[1], "222")
    ballot_round = branch.close(write_off=False)
    with pytest.raises(ServiceError, match="还有 2 张纸质选票没有录入完成"):
        write_off_unused_codes(actor=branch.committee, ballot_round=ballot_round)
    with pytest.raises(ServiceError, match="还有 2 张纸质选票待复核或录入不一致"):
        certify_round(user=branch.teller, ballot_round=ballot_round)


def test_mass_stars_wait_for_certification(branch):
    for code in branch.codes[:5]:  # 5 of 10: the quorum
        cast_ballot(village=branch.village, code=code, marks={branch.subjects[0]: S})
    ballot_round = branch.close()
    assert member_ballot_counts(branch.year) == {}
    certify_round(user=branch.teller, ballot_round=ballot_round)
    assert member_ballot_counts(branch.year) == {}  # one signature is not enough
    certify_round(user=branch.committee, ballot_round=ballot_round)
    counts = member_ballot_counts(branch.year)
    assert sorted(c.satisfied for c in counts.values()) == [0, 0, 5]


# --- who may open the pages ---------------------------------------------------------------------

PAGES = [
    "/branch/paper",
    "/branch/rounds/{id}/paper",
    "/branch/rounds/{id}/paper/disagreements",
    "/branch/rounds/{id}/certification",
]


@pytest.mark.parametrize("path", PAGES)
@pytest.mark.parametrize(
    ("role", "status"),
    [
        (Role.TELLER, 200),
        (Role.COMMITTEE, 200),
        (Role.SECRETARY, 200),
        (Role.CADRE, 403),
        (Role.TOWNSHIP, 403),
    ],
    ids=lambda v: getattr(v, "value", v),
)
def test_role_reaches_the_paper_pages(app, branch, path, role, status):
    client = app.test_client()
    village = db.session.get(type(branch.village), branch.village.id)
    user = create_user(
        role=role,
        village=village if role.is_village_role else None,
        township=village.township,
    )
    login(client, user)
    assert client.get(path.format(id=branch.round_id)).status_code == status


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/branch/rounds/{id}/paper"),
        ("POST", "/branch/rounds/{id}/paper"),
        ("GET", "/branch/rounds/{id}/paper/disagreements"),
        ("GET", "/branch/rounds/{id}/certification"),
        ("POST", "/branch/rounds/{id}/certify"),
    ],
)
def test_another_villages_round_is_not_found(app, branch, method, path):
    other = create_village()
    their_secretary = create_user(role=Role.SECRETARY, village=other)
    create_member(village=other, name="丁")
    open_assessment(village=other, secretary=their_secretary, raters=[their_secretary])
    theirs = branch.new_round(village=other, secretary=their_secretary)
    response = branch.clients[Role.TELLER].open(
        path.format(id=theirs.id), method=method, data={"code": "x", "digits": "1"}
    )
    assert response.status_code == 404


# --- sheets that can no longer be counted, and the codes never used (issue 12) ------------------


def test_a_sheet_keyed_once_whose_code_then_votes_by_phone_does_not_block_certification(branch):
    branch.key(Role.TELLER, branch.codes[0], "111")
    cast_ballot(village=branch.village, code=branch.codes[0], marks={branch.subjects[0]: S})
    db.session.commit()
    second = branch.key(Role.COMMITTEE, branch.codes[0], "111")
    assert "已用手机投过票" in text(second)
    ballot_round = branch.close()
    page = text(branch.clients[Role.TELLER].get(f"/branch/rounds/{branch.round_id}/certification"))
    assert "第 1 号：这张选票的票码已先用手机投票，纸质票不计入" in page
    assert 'id="pending"' not in page
    certify_round(user=branch.teller, ballot_round=ballot_round)
    assert certify_round(user=branch.committee, ballot_round=ballot_round) is True
    assert turnout(ballot_round).phone == 1 and turnout(ballot_round).paper == 0


def test_a_sheet_keyed_once_and_lost_is_voided_by_two_people(branch):
    branch.key(Role.TELLER, branch.codes[0], "111")
    ballot_round = branch.close(write_off=False)
    page_url = f"/branch/rounds/{branch.round_id}/certification"
    page = text(branch.clients[Role.TELLER].get(page_url))
    assert "只录入了一次的选票（1 张）" in page
    (entry_id,) = db.session.scalars(select(PaperEntry.id))
    void_url = f"/branch/rounds/{branch.round_id}/paper/entries/{entry_id}/void"
    empty = branch.clients[Role.TELLER].post(void_url, data={"reason": " "}, follow_redirects=True)
    assert "请填写作废原因" in text(empty)
    proposed = branch.clients[Role.TELLER].post(
        void_url, data={"reason": "纸质选票遗失"}, follow_redirects=True
    )
    assert "需另一人确认后生效" in text(proposed)
    alone = branch.clients[Role.TELLER].post(f"{void_url}/confirm", follow_redirects=True)
    assert "提出作废的人不能自己确认" in text(alone)
    with pytest.raises(ServiceError, match="还有 1 张纸质选票没有录入完成"):
        write_off_unused_codes(actor=branch.committee, ballot_round=ballot_round)
    confirmed = branch.clients[Role.COMMITTEE].post(f"{void_url}/confirm", follow_redirects=True)
    assert "第 1 号选票已作废，不计入" in text(confirmed)
    page = text(branch.clients[Role.SECRETARY].get(page_url))
    assert "第 1 号：已作废（计票人甲提出，支委甲确认）：纸质选票遗失" in page
    write_off_unused_codes(actor=branch.committee, ballot_round=ballot_round)
    certify_round(user=branch.teller, ballot_round=ballot_round)
    assert certify_round(user=branch.committee, ballot_round=ballot_round) is True
    assert counted_ballots() == []


def test_the_codes_never_used_are_written_off_by_someone_other_than_the_secretary(branch):
    cast_ballot(village=branch.village, code=branch.codes[0], marks={})
    branch.key(Role.TELLER, branch.codes[1], "111")
    branch.key(Role.COMMITTEE, branch.codes[1], "111")
    ballot_round = branch.close(write_off=False)
    with pytest.raises(ServiceError, match="书记以外"):
        write_off_unused_codes(actor=branch.secretary, ballot_round=ballot_round)
    page_url = f"/branch/rounds/{branch.round_id}/certification"
    secretary_page = text(branch.clients[Role.SECRETARY].get(page_url))
    assert "核销须由书记以外的支委委员或计票人登录后操作" in secretary_page
    assert "确认计票结果</button>" not in secretary_page
    written_off = branch.clients[Role.COMMITTEE].post(
        f"/branch/rounds/{branch.round_id}/write-off", follow_redirects=True
    )
    assert "已核销未使用的票码 8 张" in text(written_off)
    counts = turnout(ballot_round)
    assert (counts.printed, counts.voided, counts.phone, counts.paper) == (10, 0, 1, 1)
    assert counts.never_used == counts.written_off == 8 and counts.issued == 10
    page = text(branch.clients[Role.SECRETARY].get(f"/branch/rounds/{branch.round_id}"))
    assert 'id="codes-printed">10<' in page and 'id="codes-phone">1<' in page
    assert "核销 8 张" in page
    # a code kept back from the print run can no longer vote, on paper either
    refused = branch.key(Role.TELLER, branch.codes[5], "111")
    assert "已在投票结束后核销" in text(refused)
    again = branch.clients[Role.COMMITTEE].post(
        f"/branch/rounds/{branch.round_id}/write-off", follow_redirects=True
    )
    assert "已经核销过了" in text(again)


def test_writing_off_is_refused_while_voting_and_for_the_secretarys_page(branch):
    ballot_round = db.session.get(BallotRound, branch.round_id)
    with pytest.raises(ServiceError, match="投票结束后才能核销"):
        write_off_unused_codes(actor=branch.committee, ballot_round=ballot_round)
    response = branch.clients[Role.SECRETARY].post(f"/branch/rounds/{branch.round_id}/write-off")
    assert response.status_code == 403
