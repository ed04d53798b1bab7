"""Just enough ISO-BMFF (MP4 box) surgery to join fragmented-MP4 segments, no I/O.

Each segment is encoded by its own muxer into ``ftyp moov moof mdat [mfra]``. The
muxer starts every segment's decode time at zero, so before joining, each track's
``tfdt`` is set to its absolute decode time and each ``mfhd`` gets its place in the
sequence. A full clip is then the init part (``ftyp moov``) followed by the fragments
(``moof mdat``) byte for byte; the same fragments serve HLS.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

HEADER_BYTES = 8
CONTAINERS = frozenset({b"moov", b"moof", b"traf", b"mvex"})


class BadMp4(ValueError):
    """Bytes that are not the fragmented MP4 this module expects."""


@dataclass(frozen=True)
class Box:
    """One box: its type and where it sits in the buffer."""

    kind: bytes
    start: int
    size: int

    @property
    def end(self) -> int:
        """Offset just past the box."""
        return self.start + self.size

    @property
    def body(self) -> int:
        """Offset of the box's payload."""
        return self.start + HEADER_BYTES


def boxes(data: bytes | bytearray, start: int = 0, end: int | None = None) -> Iterator[Box]:
    """The boxes laid end to end in ``data[start:end]`` (32-bit sizes only)."""
    end = len(data) if end is None else end
    offset = start
    while offset < end:
        size, kind = struct.unpack_from(">I4s", data, offset)
        if size < HEADER_BYTES or offset + size > end:
            raise BadMp4(f"bad box {kind!r} of {size} bytes at {offset}")
        yield Box(kind, offset, size)
        offset += size


def find(data: bytes | bytearray, kind: bytes, start: int = 0, end: int | None = None) -> list[Box]:
    """Every box of ``kind`` at any depth inside the container boxes we know."""
    found = []
    for box in boxes(data, start, end):
        if box.kind == kind:
            found.append(box)
        if box.kind in CONTAINERS:
            found.extend(find(data, kind, box.body, box.end))
    return found


def split_segment(data: bytes) -> tuple[bytes, bytes]:
    """(init part ``ftyp moov``, media part ``moof mdat ...``) of one encoded segment."""
    top = list(boxes(data))
    init = b"".join(data[b.start : b.end] for b in top if b.kind in (b"ftyp", b"moov"))
    media = b"".join(data[b.start : b.end] for b in top if b.kind in (b"moof", b"mdat"))
    if not init or not media:
        raise BadMp4("a segment needs ftyp, moov, moof and mdat")
    return init, media


def set_decode_times(media: bytes, decode_times: Mapping[int, int]) -> bytes:
    """``media`` with each track's ``tfdt`` set to ``decode_times[track_id]`` (in its ticks)."""
    out = bytearray(media)
    for traf in find(out, b"traf"):
        tfhd = find(out, b"tfhd", traf.body, traf.end)[0]
        track_id = struct.unpack_from(">I", out, tfhd.body + 4)[0]
        for tfdt in find(out, b"tfdt", traf.body, traf.end):
            if track_id in decode_times:
                _write_tfdt(out, tfdt, decode_times[track_id])
    return bytes(out)


def _write_tfdt(out: bytearray, tfdt: Box, ticks: int) -> None:
    if out[tfdt.body] == 1:
        struct.pack_into(">Q", out, tfdt.body + 4, ticks)
    else:
        struct.pack_into(">I", out, tfdt.body + 4, ticks)


def renumber(media: bytes, first_sequence: int) -> tuple[bytes, int]:
    """``media`` with its fragments numbered from ``first_sequence``; and the next number."""
    out = bytearray(media)
    number = first_sequence
    for mfhd in find(out, b"mfhd"):
        struct.pack_into(">I", out, mfhd.body + 4, number)
        number += 1
    return bytes(out), number


def fragment_count(media: bytes) -> int:
    """How many ``moof`` fragments ``media`` holds."""
    return sum(1 for box in boxes(media) if box.kind == b"moof")


# MPEG-4 systems object types of the audio codecs the importer keeps (AAC, MP3).
AUDIO_CODECS = {0x40: "mp4a.40.2", 0x6B: "mp4a.6B"}


def codecs_of(init: bytes) -> str:
    """The RFC 6381 ``CODECS`` text of an init part: ``avc1.PPCCLL`` [, the audio's]."""
    avcc = init.find(b"avcC")
    if avcc < 0:
        raise BadMp4("no avcC box: not an H.264 init part")
    # avcC: version, then profile, profile compatibility and level, one byte each.
    profile, compat, level = init[avcc + 5 : avcc + 8]
    codecs = [f"avc1.{profile:02x}{compat:02x}{level:02x}"]
    esds = init.find(b"esds")
    if esds >= 0:
        codecs.append(AUDIO_CODECS.get(_object_type(init, esds + 8), "mp4a.40.2"))
    return ",".join(codecs)


def _object_type(data: bytes, offset: int) -> int:
    """The objectTypeIndication in an ``esds`` body: ES_Descriptor → DecoderConfigDescriptor."""
    offset = _descriptor_body(data, offset, 0x03) + 3  # ES_ID (2) and flags (1)
    return data[_descriptor_body(data, offset, 0x04)]


def _descriptor_body(data: bytes, offset: int, tag: int) -> int:
    if data[offset] != tag:
        raise BadMp4(f"expected descriptor tag {tag:#x} at {offset}")
    offset += 1
    # The size is 1 to 4 bytes, 7 bits each, the high bit meaning "more follows".
    while data[offset] & 0x80:
        offset += 1
    return offset + 1
