"""``python -m services.ingest``: run ingest under uvicorn."""

from services.ingest.app import create_app
from services.ingest.settings import IngestSettings
from shared.service import serve

if __name__ == "__main__":
    settings = IngestSettings()
    serve("ingest", create_app(settings), settings)
