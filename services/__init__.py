"""The four independently deployed services: gateway, ingest, moderation, renderer."""
