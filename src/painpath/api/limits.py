"""Request limits: a body over its size limit is answered 413 and JSON nested too deeply 422,
before any route reads or parses it; an integer in the path or query past what the database
can hold is 422, before any query is made with it.

Every request body is held to ``Settings.max_body_bytes`` (1 MB by default: the largest case
or intake form is a few kilobytes). Routes that take larger bodies and read them within a
limit of their own (the FHIR import) are named in ``own_limits``: only their declared
Content-Length is checked here, and the route stops reading at its limit. Python's JSON
parser recurses, so a body of a few kilobytes of ``[[[[...`` would otherwise exhaust the
stack inside the framework and come back as an unexplained error.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping

from fastapi import FastAPI, Request
from fastapi.dependencies.models import Dependant
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from starlette.types import ASGIApp, Message, Receive, Scope, Send

MEGABYTE = 1024 * 1024
DEFAULT_MAX_BODY_BYTES = MEGABYTE
# Cases and FHIR resources nest about ten levels; a hundred leaves room and stays far from
# Python's recursion limit.
MAX_JSON_DEPTH = 100
_JSON_TOKENS = re.compile(rb'"(?:[^"\\]|\\.)*"|[\[\]{}]', re.DOTALL)
_OPENERS = frozenset(b"[{")
# The FHIR import reads its bundle itself, within its own (larger) limit.
FHIR_BUNDLE_PATH = "/fhir/Bundle"


class BodyTooLargeError(Exception):
    """The body went past its limit while it was being read."""


def json_depth(body: bytes) -> int:
    """How deeply the JSON text nests arrays and objects (strings are skipped, so brackets
    inside them do not count). Works on malformed JSON too: the parser reports that."""
    if body.count(b"[") + body.count(b"{") <= MAX_JSON_DEPTH:
        return 0  # cannot nest deeper than the limit: skip the scan
    depth = deepest = 0
    for token in _JSON_TOKENS.finditer(body):
        first = token.group()[0]
        if first in _OPENERS:
            depth += 1
            deepest = max(deepest, depth)
        elif first != ord('"'):
            depth -= 1
    return deepest


def _is_json(scope: Scope) -> bool:
    for name, value in scope.get("headers", ()):
        if name == b"content-type":
            media: bytes = value.split(b";", 1)[0].strip().lower()
            return media == b"application/json" or media.endswith(b"+json")
    return False


def _declared_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            return int(value) if value.isdigit() else None
    return None


def _size(count: int) -> str:
    return f"{count / MEGABYTE:g} MB" if count >= MEGABYTE else f"{count // 1024} KB"


async def _refuse(send: Send, status: int, message: str) -> None:
    body = json.dumps({"detail": [{"field": "body", "message": message}]}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            # The client may still be sending: tell it this connection is done.
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class RequestLimits:
    """ASGI middleware holding every request body to its size limit and JSON to its depth."""

    def __init__(
        self, app: ASGIApp, *, max_body_bytes: int, own_limits: Mapping[str, int] | None = None
    ) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.own_limits = dict(own_limits or {})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _declared_length(scope)
        own = self.own_limits.get(scope.get("path", ""))
        limit = own if own is not None else self.max_body_bytes
        if declared is not None and declared > limit:
            await _refuse(send, 413, f"is larger than {_size(limit)}")
            return
        if own is not None:
            await self.app(scope, receive, send)
            return
        try:
            body = await self._read(receive)
        except BodyTooLargeError:
            await _refuse(send, 413, f"is larger than {_size(limit)}")
            return
        if body is None:
            return  # the client went away before it had sent its request: nobody to answer
        if _is_json(scope) and json_depth(body) > MAX_JSON_DEPTH:
            await _refuse(send, 422, f"nests more than {MAX_JSON_DEPTH} levels deep")
            return
        await self.app(scope, _replay(body, receive), send)

    async def _read(self, receive: Receive) -> bytes | None:
        body = bytearray()
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return None
            body.extend(message.get("body", b""))
            if len(body) > self.max_body_bytes:
                raise BodyTooLargeError
            if not message.get("more_body", False):
                return bytes(body)


def _replay(body: bytes, receive: Receive) -> Receive:
    """The body read already, given to the app as one message; then the client's own
    messages (a disconnect), as the server would give them."""
    sent = False

    async def replayed() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replayed


# The largest integer a path or query parameter may carry: ids are PostgreSQL ``integer``
# columns, and SQLite refuses integers past 64 bits, so a larger one could only fail inside
# the database driver (a 500) instead of finding nothing.
MAX_INTEGER = 2**31 - 1
# ``int | None`` equals ``Optional[int]``, whichever way a route spells it.
_INTEGER_TYPES = (int, int | None)
# ASCII digits only: str.isdigit() also takes "²", which int() refuses.
_INTEGER = re.compile(r"\s*[+-]?[0-9]+\s*")
# Each route's integer parameters, worked out on its first request and kept on the route.
_CACHED = "_painpath_integer_parameters"


def _parameters(dependant: Dependant) -> Iterator[tuple[str, str]]:
    for location, fields in (("path", dependant.path_params), ("query", dependant.query_params)):
        for item in fields:
            if item.field_info.annotation in _INTEGER_TYPES:
                yield location, item.alias
    for dependency in dependant.dependencies:
        yield from _parameters(dependency)


def integers_in_range(request: Request) -> None:
    """Refuse (422, naming the parameter) an integer path or query parameter past
    ``MAX_INTEGER`` either way. Added to every API route by the GuardedRouter."""
    route = request.scope.get("route")
    if not isinstance(route, APIRoute):
        return
    known: tuple[tuple[str, str], ...] | None = getattr(route, _CACHED, None)
    if known is None:
        known = tuple(dict.fromkeys(_parameters(route.dependant)))
        setattr(route, _CACHED, known)
    problems = []
    for location, name in known:
        raw = (request.path_params if location == "path" else request.query_params).get(name)
        if raw is None or not _INTEGER.fullmatch(raw):
            continue  # absent, or not an integer at all: the route's own validation says so
        if abs(int(raw)) > MAX_INTEGER:
            problems.append(
                {
                    "loc": (location, name),
                    "msg": f"must be between {-MAX_INTEGER} and {MAX_INTEGER}",
                    "type": "out_of_range",
                }
            )
    if problems:
        raise RequestValidationError(problems)


def install_limits(app: FastAPI, *, max_body_bytes: int) -> None:
    """Hold the app's request bodies to ``max_body_bytes``, and the FHIR import to its own."""
    # Here, not at the top: the routes import this module (integers_in_range).
    from painpath.api.routes.fhir import LIMITS as FHIR_LIMITS

    app.add_middleware(
        RequestLimits,
        max_body_bytes=max_body_bytes,
        own_limits={FHIR_BUNDLE_PATH: FHIR_LIMITS.max_bytes},
    )
