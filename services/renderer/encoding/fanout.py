"""What a render asks an encoder to do, and the message that carries it. Pure, no I/O.

A render plans every rung of its clip as :class:`SegmentOrder` s, one per segment. An
order is self-contained (inputs by key + ETag, settings, place in the clip), so the
coordinator's own process pool and an encoder worker elsewhere run the same order;
:func:`message_of` and :func:`order_of` turn it into the ``segments`` queue's
:class:`SegmentRequested` and back. A worker trusts no name in a message: ``order_of``
recomputes the segment hash and init name from the inputs and refuses a mismatch,
because those names are the S3 keys the worker writes once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from fractions import Fraction
from pathlib import Path

from services.renderer.encoding.segments import SegmentPlan, init_name, plan_segments, segment_hash
from services.renderer.renders.clips import BlobRef, ClipInputs, EncoderSettings
from shared.messages import MalformedMessage, SegmentRequested, StoredRef

# The encoder settings a ``SegmentRequested`` carries under the same names (``fps`` is
# carried as ``fps_num`` / ``fps_den``).
SHARED_ENCODER_FIELDS = ("width", "height", "preset", "crf", "threads")


@dataclass(frozen=True)
class SegmentOrder:
    """Encode one segment of one rung: everything an encoder needs, nothing local."""

    video: str
    encoder: EncoderSettings
    plan: SegmentPlan
    frames_per_segment: int
    frames: tuple[BlobRef, ...]
    audio: BlobRef | None
    is_last: bool

    @property
    def segment_hash(self) -> str:
        """The segment's identity (and its fragment's name)."""
        return segment_hash(self.plan, list(self.frames), self.audio, self.encoder.fingerprint())

    @property
    def init_name(self) -> str:
        """The name of the init part this segment's rung shares."""
        return init_name(self.encoder.fingerprint(), self.audio)


@dataclass(frozen=True)
class RungPlan:
    """Every segment of one rung, in order."""

    encoder: EncoderSettings
    orders: tuple[SegmentOrder, ...]

    @property
    def init_name(self) -> str:
        """The init part of this rung."""
        return init_name(self.encoder.fingerprint(), self.orders[0].audio)


@dataclass(frozen=True)
class EncodeJob:
    """An order and the local files its fragment and its rung's init part go to."""

    order: SegmentOrder
    media_path: Path
    init_path: Path


def rung_plans(inputs: ClipInputs) -> list[RungPlan]:
    """The orders of every rung of ``inputs``, smallest rung first."""
    plans = plan_segments(len(inputs.frames), inputs.frames_per_segment)
    return [
        RungPlan(
            encoder,
            tuple(
                SegmentOrder(
                    inputs.video,
                    encoder,
                    plan,
                    inputs.frames_per_segment,
                    inputs.frames[plan.first_frame : plan.first_frame + plan.frame_count],
                    inputs.audio,
                    plan.index == len(plans) - 1,
                )
                for plan in plans
            ),
        )
        for encoder in inputs.rungs
    ]


def message_of(order: SegmentOrder, expires_at: datetime) -> SegmentRequested:
    """The ``segments`` queue message of ``order``."""
    fps = order.encoder.fps
    return SegmentRequested(
        video=order.video,
        segment_hash=order.segment_hash,
        init_name=order.init_name,
        index=order.plan.index,
        first_frame=order.plan.first_frame,
        frames_per_segment=order.frames_per_segment,
        is_last=order.is_last,
        fps_num=fps.numerator,
        fps_den=fps.denominator,
        frames=[_stored(f) for f in order.frames],
        audio=_stored(order.audio) if order.audio else None,
        expires_at=expires_at,
        **{name: getattr(order.encoder, name) for name in SHARED_ENCODER_FIELDS},
    )


def order_of(message: SegmentRequested) -> SegmentOrder:
    """The order a message carries; :class:`MalformedMessage` if its names do not fit it."""
    fps = Fraction(message.fps_num, message.fps_den)
    shared = {name: getattr(message, name) for name in SHARED_ENCODER_FIELDS}
    order = SegmentOrder(
        message.video,
        EncoderSettings(fps=fps, **shared),
        SegmentPlan(message.index, message.first_frame, len(message.frames)),
        message.frames_per_segment,
        tuple(_ref(f) for f in message.frames),
        _ref(message.audio) if message.audio else None,
        message.is_last,
    )
    if (order.segment_hash, order.init_name) != (message.segment_hash, message.init_name):
        raise MalformedMessage("the segment hash or init name does not match the inputs")
    return order


def _stored(ref: BlobRef) -> StoredRef:
    return StoredRef(key=ref.key, etag=ref.etag)


def _ref(stored: StoredRef) -> BlobRef:
    return BlobRef(stored.key, stored.etag)
