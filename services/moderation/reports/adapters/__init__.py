"""moderation's adapters, named technology + role: DynamoDB, SQS, Crowdflower v1.

Photos need no adapter of moderation's own: :class:`shared.objects.S3ObjectStore`
already fits the :class:`~services.moderation.reviews.ports.PhotoStore` port.
"""
