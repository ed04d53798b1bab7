"""Fixtures for the renderer's integration tests: settings, deps, an imported video."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from services.renderer.deps import RendererDeps, build_deps
from services.renderer.importing import ImportResult, import_video
from services.renderer.settings import RendererSettings
from shared.aws import AwsClients
from tests.media import short_video


def renderer_settings(
    aws_fields: dict[str, object], work_dir: Path, **extra: object
) -> RendererSettings:
    return RendererSettings(**aws_fields, work_dir=work_dir, **extra)  # type: ignore[arg-type]


def renderer_deps(settings: RendererSettings, aws: AwsClients, http=None) -> RendererDeps:
    # Threads, not processes, keep the tests quick; PyAV releases the GIL while encoding.
    return build_deps(settings, aws, ThreadPoolExecutor(2), http)


async def import_short_video(
    aws: AwsClients,
    settings: RendererSettings,
    tmp_path: Path,
    video: str = "clip",
    seconds: float = 2.0,
) -> ImportResult:
    path = short_video(tmp_path / f"{video}.mp4", seconds=seconds)
    return await import_video(aws, settings.media_bucket, settings.frames_queue, path, video)
