"""Tables: audit."""

from __future__ import annotations
