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
    # CDS Hooks (docs/INTEROPERABILITY.md). The EHRs allowed to call, with their keys (a YAML or
    # JSON file); without it every CDS call is refused. The base URL EHRs call painpath at
    # (https://host), which their tokens' aud must name. Unauthenticated calls and plain-HTTP
    # FHIR servers are for local testing only.
    cds_clients: Path | None = None
    cds_base_url: str = ""
    cds_allow_unauthenticated: bool = False
    cds_fhir_allow_http: bool = False
    # Where painpath's pages are served for users (https://host), for links on the EHR's cards.
    public_base_url: str = ""
    # The largest request body served (bytes); larger ones are answered 413 unread. The FHIR
    # import keeps its own, larger limit.
    max_body_bytes: int = Field(default=1024 * 1024, ge=1024)

    @model_validator(mode="after")
    def _default_database(self) -> Settings:
        if not self.database_url:
            # One clinic needs no server: an embedded SQLite file in the data directory.
            url = f"sqlite:///{self.data_dir / 'painpath.db'}"
            object.__setattr__(self, "database_url", url)
        return self
