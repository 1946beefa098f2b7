"""Who is asking: the four clinic roles and the signed-in user a request acts for."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    ADMIN = "admin"
    PHYSICIAN = "physician"
    NURSE = "nurse"
    FRONT_DESK = "front_desk"


@dataclass(frozen=True)
class Principal:
    """A signed-in user. Every query a principal makes is scoped to ``clinic_id``."""

    user_id: int
    clinic_id: int
    username: str
    role: Role
    session_id: int | None = None
