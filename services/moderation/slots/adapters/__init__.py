"""The slots wing's adapters: the slot records in moderation's DynamoDB table
(:mod:`.dynamo`) and each video's frames queue on SQS (:mod:`.sqs`)."""
