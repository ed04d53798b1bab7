"""Fixtures for tests that need an imported video: settings and a short generated clip."""

from __future__ import annotations

from pathlib import Path

from importer.adapters.pyav import PyavVideoFile
from importer.deps import build_importer
from importer.settings import ImporterSettings
from importer.usecases import ImportResult
from shared.aws import AwsClients
from shared.settings import AwsSettings
from tests.media import short_video


def importer_settings(aws_fields: dict[str, object]) -> ImporterSettings:
    return ImporterSettings(**aws_fields)  # type: ignore[arg-type]


async def import_short_video(
    aws: AwsClients,
    settings: AwsSettings,
    tmp_path: Path,
    video: str = "clip",
    seconds: float = 2.0,
) -> ImportResult:
    """Generate a short demo-style clip and import it as ``video`` into ``settings``' AWS."""
    path = short_video(tmp_path / f"{video}.mp4", seconds=seconds)
    return await build_importer(aws, settings).import_video(PyavVideoFile.open(path), video)
