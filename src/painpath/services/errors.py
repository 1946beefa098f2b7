"""Errors the services raise; each entry point turns them into its own answer (HTTP or exit 2)."""

from __future__ import annotations


class ServiceError(Exception):
    """Something the caller can act on; the message is safe to show to the user."""


class NotFoundError(ServiceError, LookupError):
    """No such record in the caller's clinic (a record of another clinic is not found either)."""


class ConflictError(ServiceError):
    """The request clashes with what is stored (a duplicate MRN, an impossible transition)."""


class VersionRequiredError(ServiceError):
    """An update named no version to change: it must say which version it read (If-Match)."""


class StaleVersionError(ServiceError):
    """The record changed since the caller read it: the update would overwrite that change."""


class InvalidInputError(ServiceError, ValueError):
    """Input that passed the schema but not the rules, naming the field that is wrong."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message
