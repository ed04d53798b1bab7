"""SIGTERM lets in-flight requests finish, then the service exits within its bound."""

import asyncio
import signal
import time

import httpx
import pytest

from shared.settings import AwsSettings
from tests.images import jpeg
from tests.stack import seed_video

pytestmark = pytest.mark.system


async def test_an_upload_in_flight_at_sigterm_completes_and_the_service_exits(
    aws, aws_fields, stack_factory
):
    settings = AwsSettings(**aws_fields)
    await seed_video(aws, settings, frames=1)
    stack = stack_factory(["gateway", "ingest"])
    async with httpx.AsyncClient(base_url=stack.urls["gateway"]) as client:
        lease = (await client.post("/api/leases")).json()
        cookie = "; ".join(f"{k}={v}" for k, v in client.cookies.items())
    body = jpeg()
    host, port = stack.urls["gateway"].removeprefix("http://").split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    writer.write(
        (
            f"POST /api/leases/{lease['lease_id']}/photo HTTP/1.1\r\nHost: {host}\r\n"
            f"Content-Type: image/jpeg\r\nContent-Length: {len(body)}\r\n"
            f"X-Lease-Token: {lease['token']}\r\nCookie: {cookie}\r\n\r\n"
        ).encode()
        + body[:1000]
    )
    await writer.drain()
    await asyncio.sleep(0.3)  # the request is now in flight inside the gateway

    gateway = stack.process("gateway")
    gateway.send_signal(signal.SIGTERM)
    stopped_at = time.monotonic()
    await asyncio.sleep(0.5)
    writer.write(body[1000:])
    await writer.drain()
    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 15)
    writer.close()
    assert head.startswith(b"HTTP/1.1 202"), head

    await asyncio.to_thread(gateway.wait, 15)
    assert time.monotonic() - stopped_at < 15
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{stack.urls['gateway']}/healthz", timeout=1)
