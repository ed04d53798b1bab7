"""``python -m services.gateway``: run the gateway under uvicorn."""

from services.gateway.app import create_app
from services.gateway.settings import GatewaySettings
from shared.service import serve

if __name__ == "__main__":
    settings = GatewaySettings()
    serve(
        "gateway",
        create_app(settings),
        settings,
        forwarded_allow_ips=settings.trusted_proxy_list(),
    )
