"""Every listener bounds the request head (size and time) and the body (time).

Against the gateway, the public edge, as a real process on loopback; the bounds come
from ``shared.listeners`` through ``shared.service.serve``, so every service has them.
"""

import asyncio
import time

import pytest

from tests.rawhttp import closes_within, connect, read_answer, trickle

HEAD_SECONDS = 2
BODY_SECONDS = 3
# Generous over the bounds: 2 loaded cores must not make these flaky.
MARGIN_SECONDS = 6
HEALTH = b"GET /healthz HTTP/1.1\r\nHost: gateway\r\n\r\n"


@pytest.fixture
def gateway(aws, stack_factory) -> str:
    stack = stack_factory(
        ["gateway"],
        OFOF_HEADER_TIMEOUT_SECONDS=str(HEAD_SECONDS),
        OFOF_BODY_TIMEOUT_SECONDS=str(BODY_SECONDS),
    )
    return stack.urls["gateway"]


async def test_normal_requests_keep_their_connection_alive(gateway):
    reader, writer = await connect(gateway)
    for _ in range(3):
        writer.write(HEALTH)
        assert (await read_answer(reader, 10))[0] == 200
    writer.close()


async def test_a_one_mib_header_gets_431_and_the_connection_closes(gateway):
    reader, writer = await connect(gateway)
    head = b"GET /healthz HTTP/1.1\r\nHost: gateway\r\nX-Big: " + b"a" * 2**20 + b"\r\n\r\n"
    writer.write(head)
    status, body = await read_answer(reader, 10)
    assert status == 431
    assert b"request_header_fields_too_large" in body
    assert await closes_within(reader, 10)


async def test_a_head_trickled_at_one_byte_a_second_is_cut_off(gateway):
    reader, writer = await connect(gateway)
    started = time.monotonic()
    sending = asyncio.create_task(trickle(writer, HEALTH, 1.0))
    status, _ = await read_answer(reader, HEAD_SECONDS + MARGIN_SECONDS)
    assert status == 408
    assert await closes_within(reader, 5)
    assert time.monotonic() - started < HEAD_SECONDS + MARGIN_SECONDS
    sending.cancel()


async def test_a_silent_connection_is_closed_after_the_head_bound(gateway):
    reader, _ = await connect(gateway)
    assert await closes_within(reader, HEAD_SECONDS + MARGIN_SECONDS)


async def test_a_body_trickled_at_one_byte_a_second_is_cut_off(gateway):
    reader, writer = await connect(gateway)
    writer.write(
        b"POST /api/leases/x/photo HTTP/1.1\r\nHost: gateway\r\n"
        b"Content-Type: image/jpeg\r\nContent-Length: 100\r\n\r\n"
    )
    started = time.monotonic()
    sending = asyncio.create_task(trickle(writer, b"j" * 100, 1.0))
    assert await closes_within(reader, BODY_SECONDS + MARGIN_SECONDS)
    assert time.monotonic() - started < BODY_SECONDS + MARGIN_SECONDS
    sending.cancel()
