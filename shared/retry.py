"""Tenacity retry policies for the HTTP adapters (crowd, ingest, Blip), declared once.

AWS calls are not wrapped here: botocore's standard retry mode is their one policy
(``shared.aws.client_kwargs``).

Only transient failures are retried (connection trouble, timeouts, throttling, 5xx),
bounded by elapsed time, with a log line before each sleep. Everything wrapped in one
of these must be safe to repeat.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import httpx
from tenacity import (
    AsyncRetrying,
    before_sleep_log,
    retry_if_exception,
    stop_after_delay,
    wait_exponential_jitter,
)

log = logging.getLogger(__name__)


def is_transient_http_error(exc: BaseException) -> bool:
    """True for HTTP failures that a retry may fix: transport errors and 502/503/504."""
    if isinstance(exc, httpx.TransportError):
        return True
    if isinstance(exc, httpx.HTTPStatusError):
        return exc.response.status_code in (502, 503, 504)
    return False


def transient_retry(
    is_transient: Callable[[BaseException], bool],
    *,
    max_elapsed_seconds: float,
    first_wait_seconds: float = 0.1,
    max_wait_seconds: float = 2.0,
) -> AsyncRetrying:
    """An ``AsyncRetrying`` that retries ``is_transient`` failures for a bounded time."""
    return AsyncRetrying(
        retry=retry_if_exception(is_transient),
        stop=stop_after_delay(max_elapsed_seconds),
        wait=wait_exponential_jitter(
            multiplier=first_wait_seconds, max=max_wait_seconds, jitter=first_wait_seconds
        ),
        before_sleep=before_sleep_log(log, logging.WARNING),
        reraise=True,
    )
