"""renderer's adapters, named technology + role: DynamoDB slots, the S3 and Blip
publishers, the LRU disk cache, and the PyAV encoder run in worker processes.

Stored objects need no adapter of the renderer's own: :class:`shared.objects.S3ObjectStore`
fits every port that reads or writes them.
"""
