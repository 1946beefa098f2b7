"""Which EHRs may call the CDS services, and the check of the JWT each call carries.

Per CDS Hooks 2.0, every call bears ``Authorization: Bearer <JWT>`` signed with the EHR's
private key: header ``alg``, ``kid`` (and optionally ``jku``, its JWK Set's URL); claims
``iss``, ``aud`` (the URL of the endpoint called), ``exp``, ``iat`` and ``jti``. painpath
trusts only the issuers named in the clients file (``PAINPATH_CDS_CLIENTS``), each with its
JWK Set inline or at a URL named there, and only asymmetric algorithms (ES384 and RS384 by
default; never ``none`` or an HMAC). A ``jku`` header must be the client's own JWK Set URL: a
token cannot point painpath at keys of its choosing.

Replay: each ``jti`` is remembered until its token expires, in memory. Several server
processes do not share that memory, so a token replayed to another process within its
lifetime (minutes) is not caught there; run one process, or keep token lifetimes short.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, Literal

import httpx2
import jwt
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from painpath.interop.cds_hooks_fetch import FetchLimits, FhirFetchError, check_server

Algorithm = Literal["ES256", "ES384", "ES512", "RS256", "RS384", "RS512", "PS256", "PS384"]
DEFAULT_ALGORITHMS: Final[tuple[Algorithm, ...]] = ("ES384", "RS384")
LEEWAY_SECONDS: Final = 30
KEY_SET_TTL_SECONDS: Final = 300
MIN_REFRESH_SECONDS: Final = 30
MAX_TOKEN_LENGTH: Final = 16_384
REQUIRED_CLAIMS: Final = ["iss", "aud", "exp", "iat", "jti"]


class ClientEntry(BaseModel):
    """One EHR in the clients file."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    iss: str = Field(min_length=1, description="The EHR's issuer, exactly as in its tokens.")
    jwks_url: str | None = Field(default=None, description="Where its JWK Set is published.")
    jwks: dict[str, Any] | None = Field(default=None, description="Or the JWK Set itself.")
    algorithms: tuple[Algorithm, ...] = DEFAULT_ALGORITHMS

    @model_validator(mode="after")
    def _one_key_source(self) -> ClientEntry:
        if (self.jwks_url is None) == (self.jwks is None):
            raise ValueError("give either jwks_url or jwks (inline public keys), not both")
        if self.jwks is not None and not isinstance(self.jwks.get("keys"), list):
            raise ValueError("jwks must be a JWK Set: an object with a list of keys")
        return self


class ClientsFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    clients: list[ClientEntry] = Field(default_factory=list)


class ClientsFileError(ValueError):
    """The clients file cannot be read; the message names the file and field."""


def load_clients(path: Path) -> dict[str, ClientEntry]:
    """The clients of a YAML or JSON file, by issuer."""
    try:
        text = path.read_text(encoding="utf-8")
        document = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    except (OSError, ValueError, yaml.YAMLError) as error:
        raise ClientsFileError(f"{path}: cannot be read ({error})") from error
    try:
        parsed = ClientsFile.model_validate(document or {})
    except ValidationError as error:
        problems = "; ".join(
            ".".join(str(part) for part in problem["loc"]) + ": " + problem["msg"]
            for problem in error.errors()
        )
        raise ClientsFileError(f"{path}: {problems}") from error
    found: dict[str, ClientEntry] = {}
    for client in parsed.clients:
        if client.iss in found:
            raise ClientsFileError(f"{path}: the issuer {client.iss!r} is listed twice")
        found[client.iss] = client
    return found


class TokenRejectedError(Exception):
    """The call's JWT is missing or not acceptable; the message says why."""


@dataclass(frozen=True)
class Caller:
    """A verified EHR: its issuer (the client id), and the token's subject and tenant."""

    client_id: str
    subject: str | None
    tenant: str | None


class ReplayCache:
    """The ``jti`` of every token seen, until it expires (one process's memory)."""

    def __init__(self) -> None:
        self._seen: dict[tuple[str, str], float] = {}
        self._lock = threading.Lock()

    def first_use(self, issuer: str, jti: str, expires: float, now: float) -> bool:
        with self._lock:
            for key in [key for key, until in self._seen.items() if until < now]:
                del self._seen[key]
            if (issuer, jti) in self._seen:
                return False
            self._seen[(issuer, jti)] = expires + LEEWAY_SECONDS
            return True


class KeySets:
    """JWK Sets fetched from the clients' URLs, kept for a few minutes."""

    def __init__(self, limits: FetchLimits) -> None:
        self._limits = FetchLimits(
            timeout_seconds=limits.timeout_seconds,
            max_bytes=256 * 1024,
            allow_http=limits.allow_http,
        )
        self._cache: dict[str, tuple[float, list[dict[str, Any]]]] = {}
        self._lock = threading.Lock()

    def keys(self, url: str, *, refresh: bool = False) -> list[dict[str, Any]]:
        now = time.monotonic()
        with self._lock:
            cached = self._cache.get(url)
        if cached is not None:
            age = now - cached[0]
            # A token naming an unknown key refreshes the set, but not more than every half
            # minute: unknown kids must not make painpath hammer the EHR's server.
            fresh = age < (MIN_REFRESH_SECONDS if refresh else KEY_SET_TTL_SECONDS)
            if fresh:
                return cached[1]
        keys = self._fetch(url)
        with self._lock:
            self._cache[url] = (now, keys)
        return keys

    def _fetch(self, url: str) -> list[dict[str, Any]]:
        try:
            check_server(url, self._limits)
            with httpx2.Client(
                timeout=self._limits.timeout_seconds, follow_redirects=False, trust_env=False
            ) as client:
                response = client.get(url)
        except (FhirFetchError, httpx2.HTTPError) as error:
            raise TokenRejectedError(f"the client's JWK Set could not be read: {error}") from error
        if response.status_code != 200 or len(response.content) > self._limits.max_bytes:
            raise TokenRejectedError(
                f"the client's JWK Set could not be read (HTTP {response.status_code})"
            )
        try:
            keys = response.json().get("keys")
        except (ValueError, AttributeError) as error:
            raise TokenRejectedError("the client's JWK Set is not a JWK Set") from error
        if not isinstance(keys, list):
            raise TokenRejectedError("the client's JWK Set is not a JWK Set")
        return [key for key in keys if isinstance(key, dict)]


@dataclass
class Verifier:
    """Checks a call's JWT against the clients file."""

    clients: Mapping[str, ClientEntry]
    key_sets: KeySets
    replay: ReplayCache

    def verify(self, authorization: str | None, *, audience: Sequence[str]) -> Caller:
        token = _bearer(authorization)
        try:
            header = jwt.get_unverified_header(token)
            unverified = jwt.decode(token, options={"verify_signature": False})
        except jwt.PyJWTError as error:
            raise TokenRejectedError(f"the bearer token is not a JWT ({error})") from error
        algorithm = header.get("alg")
        if not isinstance(algorithm, str) or algorithm.lower() == "none":
            raise TokenRejectedError("unsigned tokens (alg none) are refused")
        issuer = unverified.get("iss")
        client = self.clients.get(issuer) if isinstance(issuer, str) else None
        if client is None:
            raise TokenRejectedError(f"the issuer {issuer!r} is not a registered CDS client")
        if algorithm not in client.algorithms:
            allowed = ", ".join(client.algorithms)
            raise TokenRejectedError(f"alg {algorithm} is not allowed for this client ({allowed})")
        key = self._key(client, header, algorithm)
        try:
            claims = jwt.decode(
                token,
                key=key,
                algorithms=[algorithm],
                audience=list(audience),
                issuer=client.iss,
                leeway=LEEWAY_SECONDS,
                options={"require": REQUIRED_CLAIMS},
            )
        except jwt.ExpiredSignatureError as error:
            raise TokenRejectedError("the token has expired") from error
        except jwt.InvalidAudienceError as error:
            raise TokenRejectedError(
                f"the token's aud must be this endpoint's URL ({audience[0]})"
            ) from error
        except jwt.PyJWTError as error:
            raise TokenRejectedError(f"the token is not valid: {error}") from error
        jti = claims["jti"]
        if not isinstance(jti, str) or not jti:
            raise TokenRejectedError("the token's jti must be a non-empty string")
        if not self.replay.first_use(client.iss, jti, float(claims["exp"]), time.time()):
            raise TokenRejectedError("the token's jti has been used before (a replay)")
        subject, tenant = claims.get("sub"), claims.get("tenant")
        return Caller(
            client_id=client.iss,
            subject=subject if isinstance(subject, str) else None,
            tenant=tenant if isinstance(tenant, str) else None,
        )

    def _key(self, client: ClientEntry, header: Mapping[str, Any], algorithm: str) -> jwt.PyJWK:
        kid = header.get("kid")
        if not isinstance(kid, str) or not kid:
            raise TokenRejectedError("the token's header must name its key (kid)")
        jku = header.get("jku")
        if jku is not None and jku != client.jwks_url:
            raise TokenRejectedError("the token's jku is not this client's registered JWK Set URL")
        found = self._find(client, kid, refresh=False)
        if found is None and client.jwks_url is not None:
            found = self._find(client, kid, refresh=True)  # the client may have rotated keys
        if found is None:
            raise TokenRejectedError(f"no key {kid!r} in the client's JWK Set")
        try:
            return jwt.PyJWK(found, algorithm=algorithm)
        except jwt.PyJWTError as error:
            raise TokenRejectedError(f"the key {kid!r} does not fit alg {algorithm}") from error

    def _find(self, client: ClientEntry, kid: str, *, refresh: bool) -> dict[str, Any] | None:
        if client.jwks is not None:
            keys: list[dict[str, Any]] = list(client.jwks["keys"])
        else:
            assert client.jwks_url is not None  # one of the two, by the model
            keys = self.key_sets.keys(client.jwks_url, refresh=refresh)
        return next((key for key in keys if isinstance(key, dict) and key.get("kid") == kid), None)


def _bearer(authorization: str | None) -> str:
    if not authorization:
        raise TokenRejectedError("a bearer JWT is required (Authorization: Bearer <JWT>)")
    scheme, _, token = authorization.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise TokenRejectedError("a bearer JWT is required (Authorization: Bearer <JWT>)")
    if len(token) > MAX_TOKEN_LENGTH:
        raise TokenRejectedError("the bearer token is too long")
    return token
