"""The console's adapters: moderation's and the renderer's operator routes, queue depths
on SQS, and the audit log in the media bucket."""
