"""``python -m sims.vimeo``: run the local Vimeo under uvicorn."""

from sims.serving import serve
from sims.vimeo.app import create_app
from sims.vimeo.settings import VimeoSimSettings

if __name__ == "__main__":
    settings = VimeoSimSettings()
    serve(
        "vimeo",
        lambda: create_app(settings),
        settings.host,
        settings.port,
        settings.log_level,
        settings.access_token,
        "VIMEO_ACCESS_TOKEN must be set: every API call is checked against it",
    )
