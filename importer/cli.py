"""The command line: ``video`` imports a file, ``demo`` generates and imports the demo
video, ``status`` shows what is stored. Each opens the AWS clients once and calls the
use case; the result is printed on stdout; a failure is one ``error:`` line on stderr
and a non-zero exit status (2 for a bad command line or video file, as argparse does;
1 when AWS fails).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from pydantic import ValidationError
from rich.console import Console
from rich.logging import RichHandler

from importer.adapters.pyav import PyavVideoFile, UnreadableVideo
from importer.adapters.terminal import TerminalProgress
from importer.demo import SECONDS, write_demo_video
from importer.deps import open_importer
from importer.settings import ImporterSettings
from importer.target import Target, UnsafeStackFile, choose, describe
from importer.usecases import ImportResult, ImportStatus, VideoImporter
from shared.errors import OfofError
from shared.logs import configure_logging
from shared.messages import FrameSlot

MODULE_PROG = "python -m importer"


def program_name() -> str:
    """How the operator called us: ``ofof-import`` (the console script) or the module."""
    name = Path(sys.argv[0]).name
    return MODULE_PROG if name in {"__main__.py", "-c", ""} else name


def video_name(text: str) -> str:
    """A video name the slot messages accept (checked before anything is stored)."""
    try:
        FrameSlot(video=text, frame=0)
    except ValidationError as exc:
        raise argparse.ArgumentTypeError(
            f"{text!r}: a video name is 1-64 lowercase letters, digits and dashes"
        ) from exc
    return text


def video_file(text: str) -> PyavVideoFile:
    """The video file at ``text``, checked to decode (before anything is stored)."""
    try:
        return PyavVideoFile.open(Path(text))
    except UnreadableVideo as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc


def positive_seconds(text: str) -> float:
    """A duration in seconds greater than zero."""
    seconds = float(text)
    if seconds <= 0:
        raise argparse.ArgumentTypeError(f"{text}: the demo needs a positive length")
    return seconds


def parser() -> argparse.ArgumentParser:
    """``video``, ``demo`` and ``status``, each for one ``--video`` name."""
    root = argparse.ArgumentParser(
        prog=program_name(),
        description="Import videos into One Frame Of Fame: frames, audio, record, slots.",
        epilog="AWS is configured by AWS_* and OFOF_* variables, like the services; with "
        "none of the AWS_* set, a running `make run` is used (var/local-aws.env).",
    )
    commands = root.add_subparsers(dest="command", required=True, metavar="COMMAND")
    video = commands.add_parser("video", help="import a video file as the slots of a video")
    video.add_argument("file", type=video_file, help="the video file (any format FFmpeg decodes)")
    demo = commands.add_parser("demo", help="generate the demo video and import it")
    demo.add_argument("--seconds", type=positive_seconds, default=SECONDS, help="its length")
    status = commands.add_parser("status", help="show what is stored of a video")
    for command in (video, demo, status):
        command.add_argument(
            "--video", type=video_name, required=True, help="the video's name, e.g. demo"
        )
    return root


async def import_demo(importer: VideoImporter, video: str, seconds: float) -> ImportResult:
    """Generate the demo video and import it, unless ``video`` is imported already."""
    record = await importer.record(video)
    if record is not None:
        return ImportResult(record, frames_uploaded=0)
    with tempfile.TemporaryDirectory() as scratch:
        path = await asyncio.to_thread(write_demo_video, Path(scratch) / "demo.mp4", seconds)
        return await importer.import_video(PyavVideoFile.open(path), video)


def describe_result(result: ImportResult) -> str:
    """One line saying what an import run did."""
    record = result.record
    if result.frames_uploaded == 0:
        return f"{record.video} is already imported ({record.frame_count} frames): nothing to do"
    return (
        f"imported {record.video}: {record.frame_count} frames "
        f"({result.frames_uploaded} uploaded); moderation hands its slots out from now on"
    )


def describe_status(status: ImportStatus) -> str:
    """What is stored of a video, one fact a line."""
    record = status.record
    facts = [
        f"video         {status.video}",
        f"frames stored {status.frames_stored}",
        f"audio stored  {'yes' if status.audio_stored else 'no'}",
    ]
    if record is None:
        facts.append("record        none (not imported, or the import did not finish)")
    else:
        facts.append(
            f"record        {record.frame_count} frames, {record.width}x{record.height} "
            f"at {record.fps:g} fps, {'with' if record.has_audio else 'no'} audio"
        )
    facts.append(f"complete      {'yes' if status.is_complete else 'no'}")
    return "\n".join(facts)


async def execute(args: argparse.Namespace, settings: ImporterSettings) -> str:
    """Run the command ``args`` names; return what to print."""
    async with open_importer(settings, TerminalProgress, settings.uploads_in_flight) as importer:
        if args.command == "video":
            return describe_result(await importer.import_video(args.file, args.video))
        if args.command == "demo":
            return describe_result(await import_demo(importer, args.video, args.seconds))
        return describe_status(await importer.status(args.video))


def configure_output(level: str) -> None:
    """Readable log lines on a terminal; the services' JSON lines anywhere else."""
    if not sys.stderr.isatty():
        configure_logging("importer", level)
        return
    handler = RichHandler(console=Console(stderr=True), show_path=False)
    logging.basicConfig(level=level.upper(), handlers=[handler], format="%(message)s")
    logging.getLogger("botocore").setLevel(max(logging.INFO, logging.getLogger().level))


def run(argv: Sequence[str] | None = None) -> int:
    """Parse ``argv``, run the command; the process exit status."""
    command_line = parser()
    args = command_line.parse_args(argv)
    try:
        target = choose()
    except UnsafeStackFile as exc:
        command_line.exit(2, f"{command_line.prog}: error: {exc}\n")
    settings = target.settings()
    configure_output(settings.log_level)
    announce(command_line.prog, args.command, target, settings)
    try:
        print(asyncio.run(execute(args, settings)), flush=True)
    except OfofError as exc:
        print(f"{command_line.prog}: error: {exc}", file=sys.stderr, flush=True)
        return 1
    except KeyboardInterrupt:
        # Every step is safe to repeat: running the same command again finishes the import.
        print(f"{command_line.prog}: interrupted; run it again to resume", file=sys.stderr)
        return 130
    return 0


def announce(prog: str, command: str, target: Target, settings: ImporterSettings) -> None:
    """Say on stderr which AWS this run reads or writes (stdout keeps the result)."""
    verb = "reading from" if command == "status" else "writing to"
    print(f"{prog}: {verb} {describe(target, settings)}", file=sys.stderr, flush=True)
