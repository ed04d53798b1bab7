"""One contract for the object-store port, run against the S3 adapter (over a real moto
server) and against the in-memory fake the unit tests use, so the two cannot drift."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import BaseModel

from shared.aws import AwsClients
from shared.errors import Conflict, DependencyUnavailable, NotFound
from shared.objects import ObjectStore, S3ObjectStore
from tests.fakes.objects import MemoryObjectStore

pytestmark = pytest.mark.every_aws


class Note(BaseModel):
    text: str


@pytest.fixture(params=["s3", "memory"])
def store(request, aws_fields) -> ObjectStore:
    if request.param == "memory":
        return MemoryObjectStore()
    aws: AwsClients = request.getfixturevalue("aws")
    return S3ObjectStore(aws.s3, str(aws_fields["media_bucket"]))


async def read_all(store: ObjectStore, key: str, byte_range: str | None = None) -> bytes:
    stream = await store.stream(key, byte_range)
    return b"".join([chunk async for chunk in stream.chunks])


async def test_a_stored_object_reads_back_with_its_etag(store: ObjectStore):
    etag = await store.put("a/b.txt", b"hello", "text/plain", cache_control="no-cache")
    got = await store.get("a/b.txt")
    assert (got.data, got.etag) == (b"hello", etag)
    assert await store.etag("a/b.txt") == etag
    assert await store.exists("a/b.txt")


async def test_a_missing_object_is_not_found_or_none(store: ObjectStore):
    with pytest.raises(NotFound):
        await store.get("nothing/here")
    with pytest.raises(NotFound):
        await store.etag("nothing/here")
    assert await store.find("nothing/here") is None
    assert await store.find_record("nothing/here", Note) is None
    assert not await store.exists("nothing/here")


async def test_records_round_trip_as_json(store: ObjectStore):
    await store.put_record("notes/1.json", Note(text="hi"))
    assert await store.get_record("notes/1.json", Note) == Note(text="hi")


async def test_a_record_that_does_not_parse_is_a_dependency_failure(store: ObjectStore):
    await store.put("notes/bad.json", b"{not json", "application/json")
    with pytest.raises(DependencyUnavailable):
        await store.get_record("notes/bad.json", Note)


async def test_create_writes_only_once(store: ObjectStore):
    assert await store.create("once.txt", b"first", "text/plain")
    assert not await store.create("once.txt", b"second", "text/plain")
    assert (await store.get("once.txt")).data == b"first"


async def test_if_match_replaces_only_the_version_read(store: ObjectStore):
    etag = await store.put("ptr.json", b"1", "application/json")
    await store.put("ptr.json", b"2", "application/json", if_match=etag)
    with pytest.raises(Conflict):
        await store.put("ptr.json", b"3", "application/json", if_match=etag)
    with pytest.raises(Conflict):
        await store.put("ptr.json", b"3", "application/json", if_absent=True)
    assert (await store.get("ptr.json")).data == b"2"


async def test_listing_gives_etags_and_folders_under_a_prefix(store: ObjectStore):
    for key in ("clips/v/1/a", "clips/v/1/b", "clips/v/2/a", "clips/v/current.json", "x/y"):
        await store.put(key, key.encode(), "text/plain")
    assert sorted(await store.etags("clips/v/1/")) == ["clips/v/1/a", "clips/v/1/b"]
    assert sorted(await store.prefixes("clips/v/")) == ["clips/v/1/", "clips/v/2/"]
    await store.delete(["clips/v/1/a", "clips/v/1/b", "never/was"])
    assert await store.etags("clips/v/1/") == {}


async def test_a_byte_range_streams_just_those_bytes(store: ObjectStore):
    await store.put("clip.mp4", bytes(range(100)), "video/mp4", cache_control="max-age=5")
    whole = await store.stream("clip.mp4")
    assert (whole.content_length, whole.content_type, whole.cache_control) == (
        100,
        "video/mp4",
        "max-age=5",
    )
    assert whole.content_range is None
    assert await read_all(store, "clip.mp4") == bytes(range(100))
    part = await store.stream("clip.mp4", "bytes=10-19")
    assert (part.content_length, part.content_range) == (10, "bytes 10-19/100")
    assert await read_all(store, "clip.mp4", "bytes=10-19") == bytes(range(10, 20))
    assert await read_all(store, "clip.mp4", "bytes=-5") == bytes(range(95, 100))
    with pytest.raises(NotFound):
        await store.stream("clip.mp4", "bytes=500-600")


async def test_download_writes_the_object_to_disk(store: ObjectStore, tmp_path: Path):
    etag = await store.put("big.bin", b"x" * 300_000, "application/octet-stream")
    assert await store.download("big.bin", tmp_path / "big.bin") == etag
    assert (tmp_path / "big.bin").read_bytes() == b"x" * 300_000


async def test_s3_unreachable_is_a_dependency_failure(unreachable_aws: AwsClients):
    store = S3ObjectStore(unreachable_aws.s3, "nowhere")
    with pytest.raises(DependencyUnavailable):
        await store.get("a")
    with pytest.raises(DependencyUnavailable):
        await store.put("a", b"", "text/plain")
