"""The operators' console wing: its page and JSON API at ``/ops``, sessions, the audit
log, and the operator calls to moderation and the renderer."""
