"""A village with an open ballot round and its secretary, committed in a fresh database, and the
phone's steps against a real gunicorn (tests/live_server_process.py): log in, scan or type a
code, vote. Shared by the real-server tests of the rate limits and of guessing codes.
"""

from dataclasses import dataclass

from starrating.extensions import db
from starrating.rules.ballots import Choice
from starrating.rules.electorate import Electorate
from starrating.rules.tokens import shown
from starrating.rules.vocabulary import Role
from starrating.services.ballots import create_round, generate_codes, open_round
from tests.factories import PASSWORD, create_member, create_user, create_village, open_assessment
from tests.live_server_process import Answer, Phone, csrf_token_of, parse_ballot_form

WRONG_PASSWORD = "not-the-password-7"  # noqa: S105
VOTED = "投票成功"


@dataclass(frozen=True)
class LiveVillage:
    village_code: str
    round_id: int
    codes: list[str]
    secretary: str
    reviewer: str

    def scan_path(self, code: str) -> str:
        return f"/v/{self.village_code}/t/{shown(code)}"


def open_live_village(*, codes: int, members: int = 3) -> LiveVillage:
    """Committed: a village, its secretary, a township reviewer, an open round with codes."""
    village = create_village()
    secretary = create_user(role=Role.SECRETARY, village=village)
    reviewer = create_user(role=Role.TOWNSHIP, township=village.township)
    for i in range(members):
        create_member(village=village, name=f"党员{i}")
    open_assessment(village=village, secretary=secretary, raters=[secretary])
    ballot_round = create_round(
        actor=secretary,
        village=village,
        year=2026,
        title="",
        members=True,
        cadres=False,
        electorate=Electorate.VILLAGERS,
        eligible=max(codes, 100),
    )
    printed = [
        c.code for c in generate_codes(actor=secretary, ballot_round=ballot_round, count=codes)
    ]
    open_round(actor=secretary, ballot_round=ballot_round)
    db.session.commit()
    return LiveVillage(
        village.code, ballot_round.id, printed, secretary.username, reviewer.username
    )


def log_in(phone: Phone, username: str, password: str = PASSWORD) -> Answer:
    page = phone.get("/login")
    token = csrf_token_of(page.body)
    assert token is not None, page.body[:1000]
    return phone.post("/login", {"csrf_token": token, "username": username, "password": password})


def vote(phone: Phone, live: LiveVillage, code: str) -> Answer:
    """Scan the code's QR, tick 满意 for all, submit: the receipt page, or what came instead."""
    opened = phone.get(live.scan_path(code))
    form = parse_ballot_form(opened.body)
    if form is None:
        return opened
    marks = {f"s-{subject}": Choice.SATISFIED.value for subject in form.choices}
    return phone.post(f"/v/{live.village_code}/ballot", {"csrf_token": form.csrf_token, **marks})


def type_code(phone: Phone, live: LiveVillage, code: str, token: str | None = None) -> Answer:
    """Type a code into the 输入票码 form (the form's CSRF token fetched first unless given)."""
    if token is None:
        token = csrf_token_of(phone.get(f"/v/{live.village_code}/").body)
        assert token is not None
    return phone.post(f"/v/{live.village_code}/", {"csrf_token": token, "code": code})
