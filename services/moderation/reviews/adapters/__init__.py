"""The core's adapters, named technology + role: the review store on DynamoDB
(:mod:`.dynamo`, over the table's shapes in :mod:`.table`, which every wing's DynamoDB
adapter shares) and the verdicts' queue on SQS (:mod:`.sqs`).

Photos need no adapter of moderation's own: :class:`shared.objects.S3ObjectStore`
already fits the :class:`~services.moderation.reviews.ports.PhotoStore` port.
"""
