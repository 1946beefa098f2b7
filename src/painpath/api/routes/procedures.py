"""Routes: procedures."""

from __future__ import annotations

from painpath.api.routing import GuardedRouter

router = GuardedRouter()
