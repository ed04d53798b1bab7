"""Bodies are bounded, and authenticated before they are parsed.

The crowd webhook (public) and the renderer's force-render route, as real processes on
loopback: a 64 MiB body is refused with 413 without the process growing, a wrong token
is refused before the body is read, and a body that trickles in is cut off.
"""

import asyncio

import pytest

from tests.rawhttp import closes_within, connect, read_answer, rss_bytes, trickle

KEY = "webhook-key"
TOKEN = "operator-token"
HUGE = 64 * 2**20
# 1 MiB of a valid form (a=xxx…&), so a parser that is reached has work to do.
CHUNK = b"a=" + b"x" * (2**20 - 3) + b"&"
BODY_SECONDS = 3
# What a refused 64 MiB body may add to the process: read buffers, not the body.
MAX_GROWTH_BYTES = 8 * 2**20


@pytest.fixture
def stack(aws, stack_factory):
    return stack_factory(
        ["moderation", "renderer"],
        MODERATION_CROWD_API_KEY=KEY,
        RENDERER_OPERATOR_TOKEN=TOKEN,
        OFOF_BODY_TIMEOUT_SECONDS=str(BODY_SECONDS),
    )


def post(path: str, content_type: str, length: int | None, *headers: str) -> bytes:
    """A POST head; no ``length`` means a chunked body."""
    framing = f"Content-Length: {length}" if length is not None else "Transfer-Encoding: chunked"
    lines = [f"POST {path} HTTP/1.1", "Host: test", f"Content-Type: {content_type}", framing]
    return ("\r\n".join([*lines, *headers]) + "\r\n\r\n").encode()


async def send_huge(writer: asyncio.StreamWriter, chunked: bool) -> None:
    """64 MiB of body, until it is sent or the server hangs up."""
    try:
        for _ in range(HUGE // len(CHUNK)):
            writer.write(b"%x\r\n%s\r\n" % (len(CHUNK), CHUNK) if chunked else CHUNK)
            await writer.drain()
        writer.write(b"0\r\n\r\n" if chunked else b"")
        await writer.drain()
    except ConnectionError:
        pass


async def refused_huge(url: str, path: str, content_type: str, chunked: bool, *headers: str):
    """The status a 64 MiB body to ``path`` gets (sent whole unless the server hangs up)."""
    reader, writer = await connect(url)
    writer.write(post(path, content_type, None if chunked else HUGE, *headers))
    sending = asyncio.create_task(send_huge(writer, chunked))
    status, _ = await read_answer(reader, 15)
    await asyncio.wait_for(sending, 30)
    writer.close()
    return status


async def assert_refuses_huge_bodies(stack, output_dir, name, path, content_type, *headers):
    pid = stack.process(name).pid
    url = stack.urls[name]
    await warm_up(url, path, content_type, *headers)
    before = rss_bytes(pid)
    statuses = [
        await refused_huge(url, path, content_type, chunked, *headers) for chunked in (0, 1)
    ]
    growth = rss_bytes(pid) - before
    (output_dir / f"huge-body-{name}.txt").write_text(f"{statuses} +{growth / 2**20:.1f} MiB\n")
    assert statuses == [413, 413]
    assert growth < MAX_GROWTH_BYTES


async def warm_up(url: str, path: str, content_type: str, *headers: str) -> None:
    """One small refused body first, so what the process loads once is not counted."""
    reader, writer = await connect(url)
    writer.write(post(path, content_type, 2 * len(CHUNK), *headers) + 2 * CHUNK)
    await read_answer(reader, 15)
    writer.close()


async def test_a_64_mib_webhook_is_refused_with_413_without_growing_moderation(stack, output_dir):
    form = "application/x-www-form-urlencoded"
    await assert_refuses_huge_bodies(stack, output_dir, "moderation", "/crowd/webhook", form)


async def test_a_64_mib_force_render_is_refused_with_413_without_growing_the_renderer(
    stack, output_dir
):
    bearer = f"Authorization: Bearer {TOKEN}"
    json_type = "application/json"
    await assert_refuses_huge_bodies(stack, output_dir, "renderer", "/renders", json_type, bearer)


async def test_a_wrong_token_is_refused_before_the_body_is_read(stack):
    url = stack.urls["renderer"]
    for token in ("Authorization: Bearer wrong", "X-Nothing: 1"):
        reader, writer = await connect(url)
        writer.write(post("/renders", "application/json", 9, token) + b"{not json")
        assert (await read_answer(reader, 10))[0] == 401
        writer.close()
    pid = stack.process("renderer").pid
    before = rss_bytes(pid)
    wrong = "Authorization: Bearer wrong"
    assert await refused_huge(url, "/renders", "application/json", False, wrong) == 401
    assert rss_bytes(pid) - before < MAX_GROWTH_BYTES


async def test_the_right_token_with_a_malformed_body_gets_422(stack):
    reader, writer = await connect(stack.urls["renderer"])
    bearer = f"Authorization: Bearer {TOKEN}"
    writer.write(post("/renders", "application/json", 9, bearer) + b"{not json")
    status, body = await read_answer(reader, 10)
    assert status == 422, body
    writer.close()


async def test_a_webhook_body_trickled_in_is_cut_off_with_408(stack):
    reader, writer = await connect(stack.urls["moderation"])
    writer.write(post("/crowd/webhook", "application/x-www-form-urlencoded", 100))
    sending = asyncio.create_task(trickle(writer, b"a" * 100, 1.0))
    status, body = await read_answer(reader, BODY_SECONDS + 6)
    assert status == 408, body
    assert await closes_within(reader, 5)
    sending.cancel()
