"""Who runs a command: the command line's actor in the audit trail."""

from __future__ import annotations

import getpass


def command_actor() -> str:
    """``cli:<login name>`` of the operating-system user running the command."""
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):  # no login name in some containers
        return "cli"
