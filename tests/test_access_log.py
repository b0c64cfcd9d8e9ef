"""Ballot codes never reach gunicorn's access log (issue 12): the QR address /v/<village>/t/<code>
is logged with the code replaced, in the project's own format (no referrer, no user agent)."""

from starrating import create_app
from starrating.extensions import db
from starrating.rules.tokens import shown
from starrating.rules.vocabulary import Role
from starrating.services.ballots import generate_codes, open_round
from tests.conftest import base_config, close_app
from tests.factories import (
    create_member,
    create_member_round,
    create_user,
    create_village,
    open_assessment,
)
from tests.live_server_process import LIVE_APP, LiveServer, Phone


def test_a_scanned_code_is_not_in_the_access_log(databases, tmp_path):
    url = databases.new()
    app = create_app(base_config(url))
    with app.app_context():
        village = create_village()
        secretary = create_user(role=Role.SECRETARY, village=village)
        create_member(village=village, name="甲")
        open_assessment(village=village, secretary=secretary, raters=[secretary])
        ballot_round = create_member_round(village=village, secretary=secretary)
        (printed,) = generate_codes(actor=secretary, ballot_round=ballot_round, count=1)
        open_round(actor=secretary, ballot_round=ballot_round)
        db.session.commit()
        village_code, code = village.code, printed.code
        db.session.remove()
    close_app(app)
    log = tmp_path / "access.log"
    server = LiveServer(
        LIVE_APP,
        {
            "STARRATING_LIVE_DATABASE_URL": url,
            "STARRATING_LIVE_SECRET_KEY": app.config["SECRET_KEY"],
        },
        workers=1,
        args=("--access-logfile", str(log)),
    )
    with server:
        phone = Phone(server.port)
        page = phone.get(f"/v/{village_code}/t/{shown(code)}")
        assert page.statuses == [302, 200]
        phone.get(f"/v/{village_code}/t/{code.lower()}")  # typed in lower case
    text = log.read_text()
    assert f"GET /v/{village_code}/t/… HTTP/1.1" in text
    for form in (code, shown(code), code.lower()):
        assert form not in text, form
    assert f"GET /v/{village_code}/ballot" in text  # the rest of the path is kept
