"""The reviews core: a submission's way to a verdict (:mod:`.moderator` over the ports of
:mod:`.ports`, one of them the :class:`~.ports.Crowd`), the pure rules (:mod:`.review`,
:mod:`.verdicts`, :mod:`.screening`, :mod:`.offers`), the contributors' use cases, the
read routes and the consumer of ``SubmissionIngested``. It imports no other wing."""
