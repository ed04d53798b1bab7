"""``python -m sims.vimeo``: run the local Vimeo under uvicorn."""

import sys

import uvicorn

from shared.logs import configure_logging
from sims.vimeo.app import create_app
from sims.vimeo.settings import VimeoSimSettings

if __name__ == "__main__":
    settings = VimeoSimSettings()
    configure_logging("vimeo", settings.log_level)
    if not settings.access_token.get_secret_value():
        sys.exit("VIMEO_ACCESS_TOKEN must be set: every API call is checked against it")
    uvicorn.run(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        log_config=None,
        access_log=False,
    )
