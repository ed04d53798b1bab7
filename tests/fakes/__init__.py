"""In-memory fakes of the project's ports, one module per port family.

Use-case unit tests build their service's use-case object over these; the adapters
they stand in for are tested against real local servers in ``tests/integration``.
"""
