"""Tables: account."""

from __future__ import annotations
