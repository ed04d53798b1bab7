"""The outbox note ingest keeps while a submission is not yet fully handed on (no I/O).

Written just before the commit and dropped once the submission is announced. It carries
the lease's SQS receipt handle, so the sweep that repairs a crash can also finish the
lease: otherwise a crash between the commit and the lease's end would leave the slot in
the ``frames`` queue while its photo is judged, and the slot would be offered again.
"""

from __future__ import annotations

from shared.records import SubmissionRecord


class PendingSubmission(SubmissionRecord):
    """A committed (or about to be committed) submission and the lease it finishes."""

    # Empty in notes written before the handle was kept: the sweep then only announces.
    receipt_handle: str = ""
