"""JSON logs: one object per line on standard output, the request id on every line.

Every record, the service's own and uvicorn's, goes through one handler on the root logger::

    {"timestamp": "2026-11-28T06:01:02.345Z", "level": "INFO", "logger": "clearstone.access",
     "message": "GET /v1/certificates/2141438167 200 1.2ms", "request_id": "4f0c...",
     "method": "GET", "route": "/v1/certificates/{number}", "path": "/v1/certificates/2141438167",
     "status": 200, "duration_ms": 1.2, "client": "203.0.113.7"}

(one line in the output). ``request_id`` comes from :data:`request_id_var`, which the request-id
middleware sets for the whole request, so whatever logs while a request is handled (a route, a
service, SQLAlchemy, a background task of that request) carries it. Fields passed with
``extra=`` are added as they are.

What is never logged: request or response bodies and headers. As a second line of defence the
handler masks anything shaped like a credential (``Bearer ...``, ``client_secret=...``,
``password: ...``, a password in a URL) in messages and tracebacks before they are written.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time
from collections.abc import Mapping
from contextvars import ContextVar
from typing import Any, TextIO

from clearstone_api.observability.routes import route_template
from clearstone_api.settings import Settings

__all__ = [
    "ACCESS_LOGGER",
    "JsonFormatter",
    "JsonHandler",
    "configure_logging",
    "log_access",
    "redact",
    "request_id_var",
]

ACCESS_LOGGER = "clearstone.access"

request_id_var: ContextVar[str | None] = ContextVar("clearstone_request_id", default=None)
"""The id of the request being handled in this context; set by ``RequestIdMiddleware``."""

access_logger = logging.getLogger(ACCESS_LOGGER)

# Attributes every LogRecord has; anything else on a record came in through ``extra=``.
_STANDARD = frozenset(logging.LogRecord("", 0, "", 0, "", None, None).__dict__) | {
    "message",
    "asctime",
    "request_id",
    "color_message",  # uvicorn's coloured duplicate of the message
    "taskName",
}

_MASK = "[redacted]"
_CREDENTIALS = (
    # An Authorization header value, wherever it ended up (not the words "bearer token").
    (re.compile(r"(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=\-]{16,}"), rf"\1 {_MASK}"),
    # name=value, name: value, "name": "value" for names that hold secrets.
    (
        re.compile(
            r"(?i)((?:authorization|client_secret|secret|password|passwd|access_token|"
            r"refresh_token|id_token|api_key|token)[\"']?\s*[:=]\s*[\"']?)[^\s\"'&,;}]+"
        ),
        rf"\1{_MASK}",
    ),
    # scheme://user:password@host
    (re.compile(r"(://[^:/@\s]+:)[^@\s]+@"), rf"\1{_MASK}@"),
)


# Every pattern above needs one of these in the text: a cheap test first keeps the regular
# expressions off the common line (an access line costs a few microseconds this way).
_TRIGGERS = ("bearer", "basic", "secret", "passw", "token", "authorization", "api_key", "://")


def redact(text: str) -> str:
    """``text`` with anything shaped like a credential masked."""
    lowered = text.lower()
    if not any(trigger in lowered for trigger in _TRIGGERS):
        return text
    for pattern, replacement in _CREDENTIALS:
        text = pattern.sub(replacement, text)
    return text


def _timestamp(created: float) -> str:
    """RFC 3339 in UTC with milliseconds: ``2026-11-28T06:01:02.345Z``."""
    seconds = int(created)
    milliseconds = int((created - seconds) * 1000)
    return f"{time.strftime('%Y-%m-%dT%H:%M:%S', time.gmtime(seconds))}.{milliseconds:03d}Z"


_ENCODER = json.JSONEncoder(default=str, ensure_ascii=False)


class JsonFormatter(logging.Formatter):
    """One JSON object per record, credentials masked."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "timestamp": _timestamp(record.created),
            "level": record.levelname,
            "logger": record.name,
            "message": redact(record.getMessage()),
        }
        request_id = getattr(record, "request_id", None)
        if request_id is not None:
            entry["request_id"] = request_id
        for key, value in record.__dict__.items():  # what came in through ``extra=``, in order
            if key not in _STANDARD and key[0] != "_":
                entry[key] = value
        if record.exc_info:
            entry["exception"] = redact(self.formatException(record.exc_info))
        elif record.exc_text:
            entry["exception"] = redact(record.exc_text)
        if record.stack_info:
            entry["stack"] = redact(self.formatStack(record.stack_info))
        return _ENCODER.encode(entry)


class JsonHandler(logging.StreamHandler[TextIO]):
    """Writes JSON lines to whatever ``sys.stdout`` is when a record is emitted (test runners
    swap it), stamping each record with the current request id."""

    def __init__(self) -> None:
        super().__init__(sys.stdout)
        self.setFormatter(JsonFormatter())

    @property
    def stream(self) -> TextIO:
        return sys.stdout

    @stream.setter
    def stream(self, _value: TextIO) -> None:
        pass

    def handle(self, record: logging.LogRecord) -> bool:
        if getattr(record, "request_id", None) is None:
            record.request_id = request_id_var.get()
        return bool(super().handle(record))


def configure_logging(settings: Settings, *, force: bool = False) -> JsonHandler | None:
    """Route every log record to one JSON handler on the root logger, unless something else
    already configured logging (as ``logging.basicConfig`` does): a test runner, or a host
    process with its own handlers. ``force`` adds the handler anyway. Idempotent.

    uvicorn configures its own loggers before it calls the app factory, not the root logger;
    they are handed to the root logger here, so its lines are JSON too. Returns the handler when
    this process's logging is JSON, ``None`` when it was left alone.
    """
    root = logging.getLogger()
    ours = next((h for h in root.handlers if isinstance(h, JsonHandler)), None)
    if ours is None:
        if root.handlers and not force:
            return None
        ours = JsonHandler()
        root.addHandler(ours)
    root.setLevel(settings.log_level)
    # Fields no line shows; LogRecord spends microseconds looking them up otherwise.
    logging.logThreads = logging.logProcesses = logging.logMultiprocessing = False
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access", "uvicorn.asgi"):
        uvicorn_logger = logging.getLogger(name)
        uvicorn_logger.handlers.clear()
        uvicorn_logger.propagate = True
    # uvicorn's access log would repeat ours without the request id; the app logs requests.
    logging.getLogger("uvicorn.access").disabled = True
    return ours


def log_access(scope: Mapping[str, Any], status: int, seconds: float) -> None:
    """The access log line of one request (method, route, status, duration, client)."""
    if not access_logger.isEnabledFor(logging.INFO):
        return
    duration_ms = round(seconds * 1000, 2)
    client = scope.get("client")
    method, path = scope["method"], scope["path"]
    # Built and handed over directly: ``logger.info`` would walk the stack to find its caller
    # (a line nobody prints) on every request.
    record = access_logger.makeRecord(
        ACCESS_LOGGER,
        logging.INFO,
        __file__,
        0,
        "%s %s %d %.1fms",
        (method, path, status, duration_ms),
        None,
        extra={
            "method": method,
            "route": route_template(scope),
            "path": path,
            "status": status,
            "duration_ms": duration_ms,
            "client": client[0] if client else None,
        },
    )
    access_logger.handle(record)
