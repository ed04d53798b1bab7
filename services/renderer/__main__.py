"""``python -m services.renderer``: run the renderer under uvicorn.

``python -m services.renderer worker`` runs an encoder worker instead (fan-out: it
encodes segments from the segments queue and serves health endpoints on
``RENDERER_WORKER_PORT``). Videos are imported by the importer
(``python -m importer --help``), not here.
"""

import sys

from services.renderer.app import create_app, create_worker_app
from services.renderer.settings import RendererSettings
from shared.service import serve

if __name__ == "__main__":
    settings = RendererSettings()
    if sys.argv[1:] == ["worker"]:
        worker = settings.model_copy(update={"port": settings.worker_port})
        serve("renderer-worker", create_worker_app(worker), worker)
    elif sys.argv[1:]:
        sys.exit("usage: python -m services.renderer [worker]")
    else:
        serve("renderer", create_app(settings), settings)
