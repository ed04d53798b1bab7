"""A small Blip.tv-compatible upload server, run as a real process by the tests.

``python -m tests.blip_server PORT`` answers ``POST /file/post`` (multipart) the way
Blip's REST API did: XML ``<response><status>OK</status>…<item_id>…`` or
``<status>ERROR</status><error><code>…``. The login is ``crowd`` / ``frames``.
``GET /received`` lists what every upload carried (fields, file name, role, size), and
``POST /fail-next`` makes the next upload answer 503.
"""

from __future__ import annotations

import email.parser
import email.policy
import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

USER, PASSWORD = "crowd", "frames"
received: list[dict[str, Any]] = []
state = {"next_id": 5000, "fail_next": False}


def parse_multipart(content_type: str, body: bytes) -> tuple[dict[str, str], dict[str, Any]]:
    """Form fields and the file part of a multipart body."""
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        f"Content-Type: {content_type}\r\n\r\n".encode() + body
    )
    fields: dict[str, str] = {}
    upload: dict[str, Any] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        payload = part.get_payload(decode=True) or b""
        if part.get_filename():
            upload = {
                "name": name,
                "filename": part.get_filename(),
                "size": len(payload),
                "starts_with": payload[4:8].decode("latin-1"),
            }
        else:
            fields[str(name)] = payload.decode()
    return fields, upload


def answer_for(fields: dict[str, str]) -> str:
    """Blip's XML answer to one upload."""
    if fields.get("userlogin") != USER or fields.get("password") != PASSWORD:
        return (
            "<?xml version='1.0'?><response><status>ERROR</status><error>"
            "<code>AUTHENTICATION_REQUIRED</code><message>Login failed</message>"
            "</error></response>"
        )
    item_id = fields.get("id") or str(state["next_id"])
    if "id" not in fields:
        state["next_id"] = int(state["next_id"]) + 1
    return (
        f"<?xml version='1.0'?><response><status>OK</status><payload><asset>"
        f"<item_id>{item_id}</item_id><title>{fields.get('title', '')}</title>"
        f"</asset></payload></response>"
    )


class Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self._send(200, json.dumps(received), "application/json")

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        if self.path == "/fail-next":
            state["fail_next"] = True
            self._send(200, "ok", "text/plain")
            return
        if state["fail_next"]:
            state["fail_next"] = False
            self._send(503, "busy", "text/plain")
            return
        fields, upload = parse_multipart(self.headers["Content-Type"], body)
        received.append({"path": self.path, "fields": fields, "file": upload})
        self._send(200, answer_for(fields), "text/xml")

    def _send(self, status: int, text: str, kind: str) -> None:
        data = text.encode()
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: object) -> None:
        pass


if __name__ == "__main__":
    ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
