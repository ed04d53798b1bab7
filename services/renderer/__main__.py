"""``python -m services.renderer``: run renderer under uvicorn."""

from services.renderer.app import create_app
from services.renderer.settings import RendererSettings
from shared.service import serve

if __name__ == "__main__":
    settings = RendererSettings()
    serve("renderer", create_app(settings), settings)
