"""The local crowd's errors, answered the way v1 did: ``{"error": {"message": …}}``."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from sims.crowd.board import PaymentRequired
from sims.crowd.forms import Unreadable


class V1Error(Exception):
    """An error answer with a status and a message."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status, self.message = status, message


def v1_answer(status: int, message: str) -> JSONResponse:
    """The v1 error body."""
    return JSONResponse({"error": {"message": message}}, status_code=status)


def install_v1_errors(app: FastAPI) -> None:
    """Every error of the local crowd in v1's shape (unknown paths and bad ids too)."""

    async def v1_error(_: Request, exc: Exception) -> JSONResponse:
        if isinstance(exc, V1Error):
            return v1_answer(exc.status, exc.message)
        if isinstance(exc, Unreadable):
            return v1_answer(400, str(exc))
        if isinstance(exc, PaymentRequired):
            return v1_answer(402, f"not enough funds: {exc}")
        if isinstance(exc, RequestValidationError):
            first = exc.errors()[0]
            where = ".".join(str(part) for part in first.get("loc", ()))
            return v1_answer(400, f"{where}: {first.get('msg', 'invalid')}")
        if isinstance(exc, StarletteHTTPException):
            return v1_answer(exc.status_code, str(exc.detail))
        return v1_answer(500, "internal error")

    for kind in (
        V1Error,
        Unreadable,
        PaymentRequired,
        RequestValidationError,
        StarletteHTTPException,
    ):
        app.add_exception_handler(kind, v1_error)
