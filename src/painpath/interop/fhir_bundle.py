"""Read and validate a FHIR R4 Bundle, one entry at a time, within size and count limits.

Validation uses the R4B models of ``fhir.resources`` (R4B is wire-compatible with R4 for every
resource painpath reads). Each entry is validated on its own and its model dropped at once, so
a large bundle is held once (as parsed JSON), not twice. Every problem is collected with the
entry's index, resource type and field, and a bundle with any problem is rejected whole.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from fhir.resources.R4B import get_fhir_model_class
from fhir.resources.R4B.bundle import Bundle, BundleEntry
from pydantic import ValidationError

MEGABYTE: Final = 1024 * 1024
DEFAULT_MAX_BYTES: Final = 50 * MEGABYTE
DEFAULT_MAX_ENTRIES: Final = 20_000
BUNDLE_TYPES: Final = frozenset({"collection", "transaction", "batch"})
# Enough to fix a bundle by; the rest are counted.
MAX_REASONS: Final = 50


@dataclass(frozen=True)
class BundleLimits:
    """The largest bundle accepted, in bytes and in entries."""

    max_bytes: int = DEFAULT_MAX_BYTES
    max_entries: int = DEFAULT_MAX_ENTRIES


@dataclass(frozen=True)
class Problem:
    """What is wrong, and where: ``entry[3].resource(Observation).status``."""

    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"


class BundleRejectedError(ValueError):
    """The bundle cannot be imported; nothing of it is stored."""

    def __init__(self, problems: list[Problem]) -> None:
        shown = problems[:MAX_REASONS]
        if len(problems) > MAX_REASONS:
            more = len(problems) - MAX_REASONS
            shown.append(Problem("bundle", f"and {more} more problems"))
        self.problems = tuple(shown)
        super().__init__("; ".join(str(problem) for problem in shown))


class BundleTooLargeError(BundleRejectedError):
    """The bundle is over a resource limit."""


@dataclass(frozen=True)
class Entry:
    """One entry of a validated bundle, as parsed JSON."""

    index: int
    full_url: str | None
    resource: dict[str, Any] | None

    @property
    def resource_type(self) -> str:
        return str(self.resource.get("resourceType", "")) if self.resource else "(none)"


def read_bundle_file(path: Path, limits: BundleLimits) -> list[Entry]:
    """The entries of a bundle file; BundleRejectedError naming the file's problems."""
    try:
        size = path.stat().st_size
    except OSError as error:
        raise BundleRejectedError(
            [Problem(str(path), error.strerror or "cannot be read")]
        ) from error
    _check_size(size, limits)
    return read_bundle(path.read_bytes(), limits)


def read_bundle(data: bytes, limits: BundleLimits) -> list[Entry]:
    """The entries of a bundle given as JSON bytes, every one validated."""
    _check_size(len(data), limits)
    try:
        document = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise BundleRejectedError([Problem("bundle", f"is not JSON ({error})")]) from error
    except RecursionError as error:
        raise BundleRejectedError([Problem("bundle", "is nested too deeply")]) from error
    if not isinstance(document, dict) or document.get("resourceType") != "Bundle":
        raise BundleRejectedError([Problem("resourceType", "must be 'Bundle'")])
    entries = document.get("entry") or []
    if not isinstance(entries, list):
        raise BundleRejectedError([Problem("entry", "must be a list")])
    if len(entries) > limits.max_entries:
        raise BundleTooLargeError(
            [
                Problem(
                    "entry",
                    f"the bundle has {len(entries)} entries; at most {limits.max_entries} "
                    "are imported at once (split the bundle)",
                )
            ]
        )
    problems = _envelope_problems(document)
    found = list(_entries(entries, problems))
    if problems:
        raise BundleRejectedError(problems)
    return found


def _check_size(size: int, limits: BundleLimits) -> None:
    if size > limits.max_bytes:
        raise BundleTooLargeError(
            [
                Problem(
                    "bundle",
                    f"is {_size(size)}; at most {_size(limits.max_bytes)} is imported at once "
                    "(split the bundle)",
                )
            ]
        )


def _size(count: int) -> str:
    if count >= MEGABYTE:
        return f"{count / MEGABYTE:.1f} MB"
    if count >= 1024:
        return f"{round(count / 1024)} KB"
    return f"{count} bytes"


def _envelope_problems(document: dict[str, Any]) -> list[Problem]:
    problems = _validated(Bundle, {k: v for k, v in document.items() if k != "entry"}, "")
    kind = document.get("type")
    if not problems and kind not in BUNDLE_TYPES:
        allowed = ", ".join(sorted(BUNDLE_TYPES))
        problems.append(Problem("type", f"is {kind!r}; painpath imports {allowed} bundles"))
    return problems


def _entries(entries: list[Any], problems: list[Problem]) -> Iterator[Entry]:
    for index, raw in enumerate(entries):
        where = f"entry[{index}]"
        if not isinstance(raw, dict):
            problems.append(Problem(where, "must be an object"))
            continue
        envelope = {key: value for key, value in raw.items() if key != "resource"}
        problems.extend(_validated(BundleEntry, envelope, where + "."))
        resource = raw.get("resource")
        if resource is None:
            yield Entry(index=index, full_url=raw.get("fullUrl"), resource=None)
            continue
        found = _resource_problems(resource, where)
        problems.extend(found)
        if not found:
            yield Entry(index=index, full_url=raw.get("fullUrl"), resource=resource)


def _resource_problems(resource: Any, where: str) -> list[Problem]:
    if not isinstance(resource, dict) or not isinstance(resource.get("resourceType"), str):
        return [Problem(f"{where}.resource.resourceType", "is required")]
    kind = resource["resourceType"]
    try:
        model = get_fhir_model_class(kind)
    except ValueError:
        return [Problem(f"{where}.resource.resourceType", f"{kind!r} is not a FHIR R4 resource")]
    return _validated(model, resource, f"{where}.resource({kind}).")


def _validated(model: type[Any], value: dict[str, Any], prefix: str) -> list[Problem]:
    try:
        model.model_validate(value)
    except ValidationError as error:
        return [
            Problem(prefix + _location(problem["loc"]), problem["msg"])
            for problem in error.errors()
        ]
    except KeyError as error:
        # A contained resource of an unknown type fails inside the library, not as a
        # validation error: still the client's mistake, so it is reported like one.
        where = prefix.rstrip(".") or "bundle"
        return [Problem(where, f"holds a resource type FHIR R4 does not have ({error})")]
    except (TypeError, ValueError, RecursionError) as error:
        return [Problem(prefix.rstrip(".") or "bundle", f"is not valid FHIR R4 ({error})")]
    return []


def _location(location: tuple[int | str, ...]) -> str:
    text = ""
    for part in location:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text
