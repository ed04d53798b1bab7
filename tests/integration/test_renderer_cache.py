import os

from services.renderer.renders.adapters.diskcache import DiskBlobCache
from services.renderer.renders.clips import BlobRef
from shared.objects import S3ObjectStore


class CountingStore:
    def __init__(self, store):
        self.store = store
        self.keys = []

    async def download(self, key, path):
        self.keys.append(key)
        return await self.store.download(key, path)


async def put(aws, bucket, key, data):
    answer = await aws.s3.put_object(Bucket=bucket, Key=key, Body=data)
    return BlobRef(key, answer["ETag"].strip('"'))


async def test_each_object_is_downloaded_once_even_when_asked_for_concurrently(
    aws, aws_fields, tmp_path
):
    bucket = aws_fields["media_bucket"]
    refs = [await put(aws, bucket, f"originals/v/{n:06d}.jpg", bytes([n]) * 1000) for n in range(5)]
    counting = CountingStore(S3ObjectStore(aws.s3, bucket))
    cache = DiskBlobCache(counting, tmp_path / "cache", 10**6)
    paths = await cache.fetch_all(refs * 3)
    assert sorted(counting.keys) == sorted(r.key for r in refs)
    assert paths[2].read_bytes() == bytes([2]) * 1000
    await cache.fetch_all(refs)
    assert len(counting.keys) == 5


async def test_the_cache_survives_a_restart(aws, aws_fields, tmp_path):
    bucket = aws_fields["media_bucket"]
    ref = await put(aws, bucket, "originals/v/000000.jpg", b"x" * 100)
    first = CountingStore(S3ObjectStore(aws.s3, bucket))
    await DiskBlobCache(first, tmp_path / "cache", 10**6).fetch(ref)
    second = CountingStore(S3ObjectStore(aws.s3, bucket))
    await DiskBlobCache(second, tmp_path / "cache", 10**6).fetch(ref)
    assert (len(first.keys), len(second.keys)) == (1, 0)


async def test_a_changed_object_is_a_new_entry(aws, aws_fields, tmp_path):
    bucket = aws_fields["media_bucket"]
    counting = CountingStore(S3ObjectStore(aws.s3, bucket))
    cache = DiskBlobCache(counting, tmp_path / "cache", 10**6)
    old = await put(aws, bucket, "submissions/s/large.jpg", b"old")
    await cache.fetch(old)
    new = await put(aws, bucket, "submissions/s/large.jpg", b"new!")
    assert (await cache.fetch(new)).read_bytes() == b"new!"
    assert len(counting.keys) == 2


async def test_the_least_recently_used_objects_are_evicted_to_stay_under_the_byte_bound(
    aws, aws_fields, tmp_path
):
    bucket = aws_fields["media_bucket"]
    refs = [await put(aws, bucket, f"o/{n}", b"z" * 400) for n in range(3)]
    cache = DiskBlobCache(S3ObjectStore(aws.s3, bucket), tmp_path / "cache", 1000)
    first = await cache.fetch(refs[0])
    os.utime(first, (1, 1))  # long unused
    await cache.fetch(refs[1])
    await cache.fetch(refs[2])
    assert cache.total_bytes() <= 1000
    assert not first.exists()
    assert cache.path_of(refs[2]).exists()
