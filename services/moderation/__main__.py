"""``python -m services.moderation``: run moderation under uvicorn."""

from services.moderation.app import create_app
from services.moderation.settings import ModerationSettings
from shared.service import serve

if __name__ == "__main__":
    settings = ModerationSettings()
    serve("moderation", create_app(settings), settings)
