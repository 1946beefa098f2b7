"""Read what the EHR did not prefetch from its FHIR server, with the access token it granted.

Only the ``fhirServer`` of the request is called, and only over HTTPS unless the site allows
plain HTTP (a local test server). Each answer is read up to a size limit and within a timeout;
a search's further pages are followed only on the same server and up to a few pages, so a
slow or hostile server costs one bounded call. Nothing here keeps the token past the call.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Final

import httpx2

MAX_PAGES: Final = 5


class FhirFetchError(RuntimeError):
    """The FHIR server could not be read; the message says why (never the token)."""


@dataclass(frozen=True)
class FetchLimits:
    timeout_seconds: float = 5.0
    max_bytes: int = 5 * 1024 * 1024
    allow_http: bool = False


def check_server(base_url: str, limits: FetchLimits) -> str:
    """The FHIR base URL without a trailing slash; FhirFetchError when it may not be called."""
    try:
        url = httpx2.URL(base_url)
    except httpx2.InvalidURL as error:
        raise FhirFetchError(f"fhirServer is not a URL: {error}") from error
    allowed = {"https", "http"} if limits.allow_http else {"https"}
    if url.scheme not in allowed or not url.host:
        raise FhirFetchError("fhirServer must be an https URL")
    return base_url.rstrip("/")


def fetch(
    base_url: str, relative: str, *, access_token: str, limits: FetchLimits
) -> list[dict[str, Any]]:
    """The resources a read or search on the FHIR server answers (a search's pages joined)."""
    base = check_server(base_url, limits)
    url: str | None = f"{base}/{relative.lstrip('/')}"
    headers = {"Authorization": f"Bearer {access_token}", "Accept": "application/fhir+json"}
    found: list[dict[str, Any]] = []
    with httpx2.Client(
        timeout=limits.timeout_seconds, follow_redirects=False, trust_env=False
    ) as client:
        for _ in range(MAX_PAGES):
            if url is None:
                break
            document = _read(client, url, headers, limits)
            if document is None:  # no such resource: nothing to read
                break
            if document.get("resourceType") != "Bundle":
                return [document]
            for entry in document.get("entry") or []:
                resource = entry.get("resource") if isinstance(entry, dict) else None
                if (
                    isinstance(resource, dict)
                    and resource.get("resourceType") != "OperationOutcome"
                ):
                    found.append(resource)
            url = _next_page(document, base)
    return found


def _read(
    client: httpx2.Client, url: str, headers: dict[str, str], limits: FetchLimits
) -> dict[str, Any] | None:
    where = url.split("?", maxsplit=1)[0]
    try:
        with client.stream("GET", url, headers=headers) as response:
            if response.status_code == 404:
                return None
            if response.status_code != 200:
                raise FhirFetchError(f"{where} answered HTTP {response.status_code}")
            body = bytearray()
            for chunk in response.iter_bytes():
                body.extend(chunk)
                if len(body) > limits.max_bytes:
                    raise FhirFetchError(f"{where} answered more than {limits.max_bytes} bytes")
    except httpx2.HTTPError as error:
        raise FhirFetchError(f"{where} could not be read ({type(error).__name__})") from error
    try:
        document = json.loads(bytes(body))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as error:
        raise FhirFetchError(f"{where} answered something that is not JSON") from error
    if not isinstance(document, dict):
        raise FhirFetchError(f"{where} answered something that is not a FHIR resource")
    return document


def _next_page(bundle: dict[str, Any], base: str) -> str | None:
    for link in bundle.get("link") or []:
        if isinstance(link, dict) and link.get("relation") == "next":
            target = link.get("url")
            # Never follow a link off the server the EHR named.
            if isinstance(target, str) and target.startswith(base + "/"):
                return target
    return None
