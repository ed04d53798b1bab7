"""The encoding wing's adapters: the PyAV clip encoder (a process pool, optionally fanning
segments out) and the SQS segment farm of encoder workers."""
