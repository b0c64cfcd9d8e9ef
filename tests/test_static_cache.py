"""Static files have content-hashed addresses and are kept by the phone for a year, so a
village phone downloads the ballot's CSS and JavaScript once; a changed file has a new address."""

import os
import re

from starrating.web import STATIC_MAX_AGE, static_version


def test_pages_link_static_files_by_their_content_hash(app, client):
    html = client.get("/login").get_data(as_text=True)
    (href,) = re.findall(r'href="(/static/app\.css[^"]*)"', html)
    with app.app_context():
        assert href == f"/static/app.css?v={static_version(app, 'app.css')}"
    with client.get(href) as response:
        assert response.status_code == 200
        assert response.headers["Cache-Control"] == f"public, max-age={STATIC_MAX_AGE}, immutable"


def test_an_old_or_missing_hash_is_not_kept(client):
    for address in ("/static/app.css", "/static/app.css?v=0000000000"):
        with client.get(address) as response:
            assert response.status_code == 200
            assert response.headers["Cache-Control"] == "no-cache"


def test_a_changed_file_gets_a_new_address(app, tmp_path):
    static = tmp_path / "static"
    static.mkdir()
    (static / "x.css").write_text("a{}")
    app.static_folder = str(static)
    first = static_version(app, "x.css")
    (static / "x.css").write_text("a{color:red}")
    os.utime(static / "x.css", (1, 1))  # a new modification time, as an edit gives
    assert static_version(app, "x.css") not in (None, first)
    assert static_version(app, "missing.css") is None
