"""The Mechanical Turk wing's adapters: the requester API over aioboto3 (:mod:`.api`), and
the workers' trust and the spend ledger in moderation's DynamoDB table (:mod:`.dynamo`)."""
