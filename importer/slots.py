"""Slot messages of an import: which are still to send, and the marker that says so."""

from __future__ import annotations

from collections.abc import Iterator

from pydantic import Field

from shared.records import Record


class SlotsSent(Record):
    """``slots_sent_key(video)``: how many slot messages (frames 0..sent-1) were sent."""

    sent: int = Field(ge=0)


def unsent_batches(frame_count: int, sent_before: int, batch_size: int) -> Iterator[range]:
    """The frames still without a slot message, in batches of ``batch_size``."""
    for start in range(sent_before, frame_count, batch_size):
        yield range(start, min(start + batch_size, frame_count))
