"""The gateway's adapters: one per outside thing, named technology + role."""
