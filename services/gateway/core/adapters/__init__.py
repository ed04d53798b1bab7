"""The core wing's adapters: the one client for calls to the other services, and
moderation's reviews API over it."""
