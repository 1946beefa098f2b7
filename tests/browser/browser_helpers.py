"""Helpers for the browser tests: signing in through the form, and saving screenshots."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Page

PASSWORD = "correct horse battery staple"
ARTIFACTS = Path(__file__).resolve().parents[1] / "e2e" / "artifacts"
TIMEOUT_MS = 10_000


def sign_in(page: Page, base_url: str, username: str, *, password: str = PASSWORD) -> None:
    """Sign in through the sign-in form and wait until the page after it has loaded."""
    page.goto(f"{base_url}/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/login" not in url)


def screenshot(page: Page, name: str) -> Path:
    """Save the whole page as tests/e2e/artifacts/<name>.png and return its path."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
