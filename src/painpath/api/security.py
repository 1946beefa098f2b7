"""Who is calling: the session cookie or bearer token on a request, resolved to a principal."""

from __future__ import annotations

from fastapi import Request

from painpath.domain.accounts import Principal


def current_principal(request: Request) -> Principal:
    """The signed-in user, or 401. Cookie sessions also pass the CSRF check on changes."""
    raise NotImplementedError
