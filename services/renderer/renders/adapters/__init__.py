"""The core's adapters: the slots on DynamoDB and the bounded disk cache of stored objects."""
