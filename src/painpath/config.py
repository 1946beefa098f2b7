"""Settings read from the environment (``PAINPATH_*``); nothing here opens a connection."""

from __future__ import annotations

from pathlib import Path

from pydantic import model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Where painpath keeps its data. ``PAINPATH_DATABASE_URL`` selects PostgreSQL for a site."""

    model_config = SettingsConfigDict(env_prefix="PAINPATH_", frozen=True, extra="ignore")

    data_dir: Path = Path("var")
    database_url: str = ""
    # Mark session cookies Secure (sent over HTTPS only); on wherever the API is served by TLS.
    secure_cookies: bool = False

    @model_validator(mode="after")
    def _default_database(self) -> Settings:
        if not self.database_url:
            # One clinic needs no server: an embedded SQLite file in the data directory.
            url = f"sqlite:///{self.data_dir / 'painpath.db'}"
            object.__setattr__(self, "database_url", url)
        return self
