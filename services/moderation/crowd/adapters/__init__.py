"""The adapter both crowd wings share: each video's crowd job (or HIT type) remembered in
moderation's DynamoDB table (:mod:`.dynamo_jobs`)."""
