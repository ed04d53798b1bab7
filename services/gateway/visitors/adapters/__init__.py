"""The visitors' adapters: each video's frames queue on SQS, ingest's upload route, and
moderation's report route."""
