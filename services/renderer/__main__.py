"""``python -m services.renderer``: run the renderer under uvicorn.

Videos are imported by the importer (``python -m importer --help``), not here.
"""

from services.renderer.app import create_app
from services.renderer.settings import RendererSettings
from shared.service import serve

if __name__ == "__main__":
    settings = RendererSettings()
    serve("renderer", create_app(settings), settings)
