"""Encoding one segment with PyAV: runs in a worker process, never on the event loop.

JPEGs are decoded by FFmpeg's own MJPEG decoder (frame-threaded) straight into the
encoder, one frame at a time, so a worker holds a handful of frames, never the clip.
Three PyAV traps are handled here, each with a test:

- frames decoded from JPEG carry ``pict_type = I``; x264 would make each one a
  keyframe, so it is reset to ``NONE`` before encoding;
- JPEG frames are full range (``yuvj420p``); the reformat maps JPEG range to MPEG
  (limited) range explicitly, or colours come out washed out;
- PyAV's default gives x264 sliced threads; frame threading is faster, so the encoder
  asks for ``thread_type = "FRAME"``.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
from av.video.reformatter import ColorRange, VideoReformatter

from services.renderer.encoding.mp4boxes import renumber, set_decode_times, split_segment
from services.renderer.encoding.segments import SegmentPlan
from services.renderer.renders.clips import EncoderSettings

# One fragment per segment (one keyframe), offsets relative to each moof, moov first.
MP4_FRAGMENT_OPTIONS = {"movflags": "frag_keyframe+empty_moov+default_base_moof"}
VIDEO_TRACK_ID = 1
AUDIO_TRACK_ID = 2
# AAC's frame size, for a stream that does not state its own.
DEFAULT_AUDIO_FRAME_SAMPLES = 1024


@dataclass(frozen=True)
class SegmentJob:
    """What a worker needs to encode one segment (picklable)."""

    plan: SegmentPlan
    frame_paths: tuple[str, ...]
    audio_path: str | None
    encoder: EncoderSettings
    frames_per_segment: int
    media_path: str
    init_path: str
    # The last segment also takes audio that runs past the last frame.
    is_last: bool = False


def encode_segment(job: SegmentJob) -> str:
    """Encode ``job`` to its media file (``moof mdat`` with absolute times); return its path."""
    scratch = Path(f"{job.media_path}.{os.getpid()}.mp4")
    with av.open(str(scratch), "w", format="mp4", options=MP4_FRAGMENT_OPTIONS) as out:
        video = add_video_stream(out, job.encoder, job.frames_per_segment)
        audio_start = _mux_audio(out, job) if job.audio_path else None
        _encode_frames(out, video, job)
        video_ticks = _ticks(Fraction(job.plan.first_frame) / job.encoder.fps, video.time_base)
    init, media = split_segment(scratch.read_bytes())
    scratch.unlink()
    times = {VIDEO_TRACK_ID: video_ticks}
    if audio_start is not None:
        times[AUDIO_TRACK_ID] = audio_start
    # Fragments are numbered by their place in the clip, so joining them is plain copying.
    media, _ = renumber(set_decode_times(media, times), job.plan.index + 1)
    _write_atomically(Path(job.media_path), media)
    if not Path(job.init_path).exists():
        _write_atomically(Path(job.init_path), init)
    return job.media_path


def add_video_stream(
    out: av.container.OutputContainer, encoder: EncoderSettings, frames_per_segment: int
) -> av.VideoStream:
    """An H.264 stream: yuv420p limited range, closed GOPs, frame threads."""
    stream = out.add_stream("libx264", rate=encoder.fps)
    stream.width = encoder.width
    stream.height = encoder.height
    stream.pix_fmt = "yuv420p"
    stream.time_base = 1 / encoder.fps
    stream.codec_context.color_range = ColorRange.MPEG
    stream.options = {
        "preset": encoder.preset,
        "crf": str(encoder.crf),
        "x264-params": encoder.x264_params(frames_per_segment),
    }
    stream.thread_type = "FRAME"
    stream.thread_count = encoder.threads
    return stream


def _encode_frames(
    out: av.container.OutputContainer, video: av.VideoStream, job: SegmentJob
) -> None:
    reformatter = VideoReformatter()
    frame_time_base = 1 / job.encoder.fps
    for offset, frame in enumerate(decode_jpegs(job.frame_paths)):
        yuv = to_limited_range(reformatter, frame, job.encoder)
        yuv.pts = job.plan.first_frame + offset
        yuv.time_base = frame_time_base
        out.mux(video.encode(yuv))
    out.mux(video.encode(None))


def decode_jpegs(paths: tuple[str, ...]) -> Iterator[av.VideoFrame]:
    """Decode JPEG files in order with FFmpeg's MJPEG decoder (frame threads)."""
    decoder = av.CodecContext.create("mjpeg", "r")
    decoder.thread_type = "FRAME"
    for path in paths:
        yield from decoder.decode(av.Packet(Path(path).read_bytes()))
    yield from decoder.decode(None)


def to_limited_range(
    reformatter: VideoReformatter, frame: av.VideoFrame, encoder: EncoderSettings
) -> av.VideoFrame:
    """The frame at clip size in yuv420p, JPEG (full) range mapped to MPEG (limited) range."""
    yuv = reformatter.reformat(
        frame,
        width=encoder.width,
        height=encoder.height,
        format="yuv420p",
        src_color_range=ColorRange.JPEG,
        dst_color_range=ColorRange.MPEG,
    )
    # A JPEG frame says it is an I picture; x264 would obey and make every frame an IDR.
    yuv.pict_type = av.video.frame.PictureType.NONE
    return yuv


def _mux_audio(out: av.container.OutputContainer, job: SegmentJob) -> int:
    """Copy the audio packets that start inside this segment; return their first tick."""
    assert job.audio_path is not None
    start = Fraction(job.plan.first_frame) / job.encoder.fps
    end = Fraction(job.plan.first_frame + job.plan.frame_count) / job.encoder.fps
    with av.open(job.audio_path) as source:
        template = source.streams.audio[0]
        rate = template.codec_context.sample_rate
        stream = out.add_stream_from_template(template)
        stream.time_base = Fraction(1, rate)
        first: int | None = None
        for position, packet in sample_positions(source, template):
            seconds = Fraction(position, rate)
            if seconds < start or (seconds >= end and not job.is_last):
                continue
            first = position if first is None else first
            # The muxer sees the audio start with the video (or it would stretch the first
            # sample over the gap); the true start is written into tfdt afterwards.
            packet.pts = packet.dts = _ticks(start, stream.time_base) + position - first
            packet.duration = template.codec_context.frame_size or DEFAULT_AUDIO_FRAME_SAMPLES
            packet.time_base = stream.time_base
            packet.stream = stream
            out.mux(packet)
    return first or 0


def sample_positions(
    source: av.container.InputContainer, stream: av.AudioStream
) -> Iterator[tuple[int, av.Packet[av.AudioStream]]]:
    """Each audio packet with its start in samples, counted (containers may round times)."""
    samples_per_packet = stream.codec_context.frame_size or DEFAULT_AUDIO_FRAME_SAMPLES
    position = 0
    for packet in source.demux(stream):
        if packet.size == 0:
            continue
        yield position, packet
        position += samples_per_packet


def _ticks(seconds: Fraction, time_base: Fraction | None) -> int:
    assert time_base is not None
    return round(seconds / time_base)


def _write_atomically(path: Path, data: bytes) -> None:
    # Unique per call: concurrent encodes (threads of one process, too) may write the
    # same init part at once; each renames its own complete copy into place.
    scratch = path.with_name(f"{path.name}.{os.getpid()}.{uuid.uuid4().hex}.tmp")
    scratch.write_bytes(data)
    scratch.replace(path)


def x264_settings(data: bytes) -> str:
    """The x264 settings string x264 embeds (SEI) in the first keyframe of ``data``."""
    start = data.find(b"options: ")
    if start < 0:
        return ""
    end = data.find(b"\x00", start)
    return data[start + len(b"options: ") : end].decode("ascii", "replace")
