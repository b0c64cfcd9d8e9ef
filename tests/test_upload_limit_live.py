"""An upload over the limit, sent to a real gunicorn as a browser sends it (the whole body
before reading the answer), gets the Chinese 413 page naming the one figure — not a reset
connection halfway through the send."""

import http.client

from starrating.config import MAX_UPLOAD_MB
from tests.live_server_process import LIVE_APP, LiveServer


def test_a_too_big_upload_is_answered_with_the_chinese_page(databases):
    env = {
        "STARRATING_LIVE_DATABASE_URL": databases.new(),
        "STARRATING_LIVE_SECRET_KEY": "live-secret-key",
    }
    body = b'--x\r\nContent-Disposition: form-data; name="file"; filename="a.xlsx"\r\n\r\n'
    body += b"\0" * (6 * 1024 * 1024) + b"\r\n--x--\r\n"
    with LiveServer(LIVE_APP, env, ready_path="/login") as server:
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
        try:
            connection.request(
                "POST",
                "/login",
                body=body,
                headers={"Content-Type": "multipart/form-data; boundary=x"},
            )
            response = connection.getresponse()
            page = response.read().decode()
        finally:
            connection.close()
    assert response.status == 413
    assert f"上传的文件超过 {MAX_UPLOAD_MB} MB 上限" in page
