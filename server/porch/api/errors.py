"""The API's error replies: `{"error": {"code", "message", "field"?}}` with the status
codes of docs/api.md (400, 401, 403, 404, 409, 413, 422, 429), never a 500 for bad input."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError
from starlette.responses import JSONResponse

from porch.errors import DomainError, NotFound, SiteError

CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    422: "invalid",
    429: "rate_limited",
}


class ApiError(Exception):
    def __init__(
        self,
        status: int,
        message: str,
        *,
        code: str | None = None,
        field: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code or CODES.get(status, "error")
        self.message = message
        self.field = field
        self.headers = headers or {}

    def response(self) -> JSONResponse:
        error: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.field is not None:
            error["field"] = self.field
        return JSONResponse({"error": error}, self.status, headers=self.headers)


def not_found(what: str) -> ApiError:
    return ApiError(404, f"no such {what}")


def from_validation(exc: ValidationError, where: str = "") -> ApiError:
    """The first problem, with its field path (`tags.2`, `query.limit`)."""
    first = exc.errors(include_url=False)[0]
    path = ".".join(str(part) for part in first["loc"])
    field = f"{where}.{path}" if where and path else (where or path or None)
    return ApiError(422, first["msg"], field=field)


def from_domain(exc: DomainError) -> ApiError:
    if isinstance(exc, NotFound):
        return ApiError(404, str(exc) or "not found")
    if isinstance(exc, SiteError):
        field, message = next(iter(exc.problems.items()))
        return ApiError(422, message, field=field)
    return ApiError(422, str(exc) or "invalid request")
