"""Guessing ballot codes against a real gunicorn: nobody can stop a village's phone voting.

1,000 wrong codes from 20 addresses (X-Forwarded-For behind one trusted proxy), typed and
scanned; then a valid code from each of those addresses and from a fresh one votes (receipt
page, ballot stored), and the secretary's round page raises the alert.
"""

from concurrent.futures import ThreadPoolExecutor

from tests.live_server_process import Answer, Phone, csrf_token_of
from tests.live_setup import VOTED, log_in, type_code, vote
from tests.test_ratelimit_live import ballots_stored, served

ADDRESSES = 20
WRONG_CODES = 1000
NOT_A_CODE = "票码不对"
WAIT = "再试"


def wrong_code(n: int) -> str:
    alphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
    return "WRQNG" + "".join(alphabet[(n // 31**i) % 31] for i in range(5))


def phone_at(port: int, address: str) -> Phone:
    return Phone(port, headers={"X-Forwarded-For": address})


def test_a_thousand_wrong_codes_from_twenty_addresses_stop_no_valid_code(databases):
    with served(databases, codes=ADDRESSES + 1, STARRATING_LIVE_PROXIES="1") as s:
        port, live = s.server.port, s.live
        per_address = WRONG_CODES // ADDRESSES

        def guess_from(address: int) -> list[Answer]:
            phone = phone_at(port, f"10.9.0.{address}")
            token = csrf_token_of(phone.get(f"/v/{live.village_code}/").body)
            answers = []
            for n in range(per_address):
                code = wrong_code(address * per_address + n)
                if n % 5 == 4:  # every fifth one scanned (a link), the others typed
                    answers.append(phone.get(live.scan_path(code)))
                else:
                    answers.append(type_code(phone, live, code, token))
            return answers

        with ThreadPoolExecutor(4) as pool:
            guessed = [a for answers in pool.map(guess_from, range(ADDRESSES)) for a in answers]

        voters = [phone_at(port, f"10.9.0.{n}") for n in range(ADDRESSES)]
        voters.append(phone_at(port, "10.9.1.1"))  # a phone that never typed a wrong code
        votes = [vote(phone, live, code) for phone, code in zip(voters, live.codes, strict=True)]

        secretary = Phone(port)
        log_in(secretary, live.secretary)
        round_page = secretary.get(f"/branch/rounds/{live.round_id}").body
        log = s.server.log_text()

    assert "Traceback" not in log, log
    assert len(guessed) == WRONG_CODES
    assert {a.status for a in guessed} <= {422, 429}, {a.status for a in guessed}
    assert all(NOT_A_CODE in a.body or WAIT in a.body for a in guessed)
    assert any(a.status == 429 for a in guessed), "the guessing addresses were slowed"
    assert [VOTED in a.body for a in votes] == [True] * (ADDRESSES + 1), [
        (a.statuses, a.body[:300]) for a in votes if VOTED not in a.body
    ]
    assert ballots_stored(s.database_url, live.round_id) == ADDRESSES + 1
    assert "有人可能在猜票码" in round_page
    assert f"来自 {ADDRESSES} 个网络地址" in round_page
