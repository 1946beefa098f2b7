"""Record versions on the wire: the ETag a single record is sent with, and the If-Match a
change must carry.

A record at version 3 is sent with ``ETag: "3"``; a change to it sends ``If-Match: "3"``
(a weak ``W/"3"`` or a bare ``3`` are read the same way). No If-Match, or ``*``, names no
version and the service answers 428; a value that is no version of any record answers 412.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header, Response

from painpath.services.errors import StaleVersionError


def etag(version: int) -> str:
    return f'"{version}"'


def send_version(response: Response, version: int) -> None:
    response.headers["ETag"] = etag(version)


def named_version(
    if_match: Annotated[
        str | None,
        Header(description='The ETag of the version being changed, e.g. "3".'),
    ] = None,
) -> int | None:
    """The version an If-Match header names; None when it names none."""
    if if_match is None or if_match.strip() in {"", "*"}:
        return None
    value = if_match.strip().removeprefix("W/").strip().strip('"')
    if not value.isdigit():
        raise StaleVersionError(f"If-Match {if_match!r} is not a version of this record")
    return int(value)


IfMatch = Annotated[int | None, Depends(named_version)]
