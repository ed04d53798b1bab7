"""``python -m services.renderer``: run the renderer under uvicorn.

``python -m services.renderer import VIDEO_FILE --video NAME`` imports a video instead,
and ``python -m services.renderer demo OUT.mp4`` writes the generated demo video.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from contextlib import AsyncExitStack
from pathlib import Path

from services.renderer.app import create_app
from services.renderer.demo import write_demo_video
from services.renderer.importing import ImportResult, import_video
from services.renderer.settings import RendererSettings
from shared.aws import open_aws_clients
from shared.logs import configure_logging
from shared.service import serve


def parse_args(argv: list[str]) -> argparse.Namespace:
    """The command line: no command serves; ``import`` and ``demo`` are one-shot."""
    parser = argparse.ArgumentParser(prog="python -m services.renderer")
    commands = parser.add_subparsers(dest="command")
    importer = commands.add_parser("import", help="import a video as the slots of NAME")
    importer.add_argument("video_file", type=Path)
    importer.add_argument("--video", required=True, help="video name, e.g. demo")
    demo = commands.add_parser("demo", help="write the generated demo video")
    demo.add_argument("output", type=Path)
    return parser.parse_args(argv)


async def run_import(settings: RendererSettings, path: Path, video: str) -> ImportResult:
    """Open AWS clients and import ``path`` as ``video``."""
    async with AsyncExitStack() as stack:
        aws = await open_aws_clients(settings, stack)
        return await import_video(aws, settings.media_bucket, settings.frames_queue, path, video)


def main(argv: list[str]) -> None:
    """Serve, import or write the demo, as the command line says."""
    args = parse_args(argv)
    settings = RendererSettings()
    if args.command == "import":
        configure_logging("renderer-import", settings.log_level)
        asyncio.run(run_import(settings, args.video_file, args.video))
    elif args.command == "demo":
        write_demo_video(args.output)
    else:
        serve("renderer", create_app(settings), settings)


if __name__ == "__main__":
    main(sys.argv[1:])
