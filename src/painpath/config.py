"""Settings read from the environment (``PAINPATH_*``); nothing here opens a connection."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Where painpath keeps its data. ``PAINPATH_DATABASE_URL`` selects PostgreSQL for a site."""

    model_config = SettingsConfigDict(env_prefix="PAINPATH_", frozen=True, extra="ignore")

    data_dir: Path = Path("var")
    database_url: str = ""
    # Mark session cookies Secure (sent over HTTPS only); on wherever the API is served by TLS.
    secure_cookies: bool = False
    # Follow-up reminders by e-mail (`painpath reminders send`): off, every message only
    # logged, unless a host is set. STARTTLS is on by default: the password and the messages
    # never cross the network in clear.
    smtp_host: str = ""
    smtp_port: int = Field(default=587, ge=1, le=65535)
    smtp_user: str = ""
    smtp_password: SecretStr = SecretStr("")
    smtp_from: str = ""
    smtp_starttls: bool = True
    # A folder with the clinic's licensed questionnaire wording (odi.<language>.yaml), shown on
    # the patient's self-report; without it the self-report leaves the ODI out.
    instrument_pack: Path | None = None

    @model_validator(mode="after")
    def _default_database(self) -> Settings:
        if not self.database_url:
            # One clinic needs no server: an embedded SQLite file in the data directory.
            url = f"sqlite:///{self.data_dir / 'painpath.db'}"
            object.__setattr__(self, "database_url", url)
        return self
