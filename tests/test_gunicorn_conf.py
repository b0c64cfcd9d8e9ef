"""What the app's gunicorn settings (starrating/gunicorn_conf.py) do to a real gunicorn."""

import http.client

from tests.live_server_process import LIVE_APP, LiveServer


def _headers(port: int, path: str) -> http.client.HTTPMessage:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", path, headers={"Connection": "close"})
        response = connection.getresponse()
        response.read()
        return response.headers
    finally:
        connection.close()


def test_real_gunicorn_sends_no_server_banner(databases):
    env = {
        "STARRATING_LIVE_DATABASE_URL": databases.new(),
        "STARRATING_LIVE_SECRET_KEY": "live-secret-key",
    }
    with LiveServer(LIVE_APP, env, ready_path="/login") as server:
        for path in ("/login", "/nowhere", "/static/app.css"):
            headers = _headers(server.port, path)
            assert "Server" not in headers, (path, headers.get("Server"))
            assert headers["Date"]  # gunicorn's other own headers stay
        assert _headers(server.port, "/login")["Cache-Control"] == "no-store"
