"""Text responses reach a village phone compressed (issue 13: the 58-subject ballot was 58.8 KB as
served, 5.4 KB gzipped). A phone that asks for gzip gets gzip; one that does not gets plain HTML."""

import gzip

from starrating.extensions import db
from starrating.rules.result_versions import Part
from starrating.services.review import publish_results
from starrating.web import china_today
from tests.blueprints.publicity import NAMES, ready_year
from tests.blueprints.test_ballot_pages import make_branch
from tests.factories import signed_off

GZIP = {"Accept-Encoding": "gzip"}


def test_the_long_ballot_page_is_served_gzipped(app, client):
    branch = make_branch(members=58, cadres=7)
    client.get(branch.scan_path(branch.codes[0]))
    response = client.get(f"{branch.base}/ballot", headers=GZIP)
    assert response.status_code == 200
    assert response.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response.headers["Vary"]
    html = gzip.decompress(response.get_data()).decode()
    assert "党员58" in html and "1. 党员（58 人）" in html
    assert len(response.get_data()) * 5 < len(html.encode()), "compressed to under a fifth"
    assert response.headers["Cache-Control"] == "no-store"  # compression keeps the ballot headers


def test_the_board_is_served_gzipped(app, client):
    village, secretary, year = ready_year()
    signed_off(year, Part.TENSTAR)
    publish_results(actor=secretary, year=year, today=china_today())
    db.session.commit()
    response = client.get(f"/{village.code}/board", headers=GZIP)
    assert response.status_code == 200
    assert response.headers["Content-Encoding"] == "gzip"
    html = gzip.decompress(response.get_data()).decode()
    for name in NAMES:
        assert name in html


def test_a_phone_that_does_not_ask_for_gzip_gets_plain_html(app, client):
    branch = make_branch(members=58, cadres=7)
    response = client.get(f"{branch.base}/", headers={"Accept-Encoding": "identity"})
    assert response.status_code == 200
    assert "Content-Encoding" not in response.headers
    assert "<html" in response.get_data(as_text=True)
