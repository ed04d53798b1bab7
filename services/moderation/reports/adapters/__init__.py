"""The reports wing's adapter: visitors' reports in moderation's DynamoDB table."""
