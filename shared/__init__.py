"""Cross-service plumbing shared by the four One Frame Of Fame services.

Settings, AWS clients, message schemas, errors, logging, request ids and health.
Services import from here and never from each other.
"""
