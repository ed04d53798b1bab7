"""Fixtures for the renderer's integration tests: settings, deps, an imported video."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from services.renderer.deps import RendererDeps, build_deps
from services.renderer.settings import RendererSettings
from shared.aws import AwsClients

# The renderer's tests start from an imported video, made by the importer.
from tests.integration.importer_fixtures import import_short_video as import_short_video


def renderer_settings(
    aws_fields: dict[str, object], work_dir: Path, **extra: object
) -> RendererSettings:
    return RendererSettings(**aws_fields, work_dir=work_dir, **extra)  # type: ignore[arg-type]


def renderer_deps(settings: RendererSettings, aws: AwsClients, http=None) -> RendererDeps:
    # Threads, not processes, keep the tests quick; PyAV releases the GIL while encoding.
    return build_deps(settings, aws, ThreadPoolExecutor(2), http)
