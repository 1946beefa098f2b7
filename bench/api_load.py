"""The API under load on loopback: wrk against ``painpath serve`` for the demo clinic.

A fresh data folder gets the demo clinic (``painpath demo --patients N``); ``painpath serve``
(uvicorn, one process) answers on a free port. A physician's bearer token comes from
``POST /auth/login``. Three endpoints are loaded at each connection count for a few seconds:
the patient's recommendations, the CDS Hooks ``patient-view`` service (with the prefetch built
from a Synthea fixture bundle) and ``/health``, the same server's trivial endpoint and the
ceiling. The CDS calls run with ``PAINPATH_CDS_ALLOW_UNAUTHENTICATED=1``, for the benchmark
only: a real site verifies each EHR's signed JWT, which adds its cost to every call.

Afterwards every answered request must have its audit entry, and ``painpath audit verify``
must pass.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import sqlite3
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx2 as httpx

from bench.figure import Figure

ROOT = Path(__file__).resolve().parent.parent
PAINPATH = ROOT / ".venv" / "bin" / "painpath"
FIXTURE = ROOT / "tests" / "fixtures" / "fhir" / "synthea_rubin_mcdermott.json"
_SECTION = "API (wrk, loopback)"
_PREFETCH_KEYS = {
    "Patient": "patient",
    "Condition": "conditions",
    "Observation": "observations",
    "MedicationRequest": "medicationRequests",
    "MedicationStatement": "medicationStatements",
    "Procedure": "procedures",
    "AllergyIntolerance": "allergies",
}
# wrk's Lua hooks: the request, and a JSON line with what the text summary leaves out (p95).
_SCRIPT = """
wrk.method = "{method}"
wrk.body = {body}
wrk.headers["Content-Type"] = "application/json"
{authorization}
done = function(summary, latency, requests)
  io.write(string.format(
    '\\nRESULT {{"requests": %d, "seconds": %f, "non_2xx": %d, "errors": %d, '
    .. '"p50": %f, "p95": %f, "p99": %f}}\\n',
    summary.requests, summary.duration / 1e6, summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    latency:percentile(50) / 1e3, latency:percentile(95) / 1e3, latency:percentile(99) / 1e3))
end
"""


@dataclass(frozen=True)
class Load:
    requests: int
    per_second: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    failed: int


def api_figures(*, patients: int, connections: tuple[int, ...], seconds: int) -> list[Figure]:
    if shutil.which("wrk") is None:
        raise RuntimeError("wrk is missing: install it (sudo apt-get install wrk)")
    with tempfile.TemporaryDirectory() as folder, _server(Path(folder), patients) as server:
        token = _token(server)
        patient_id = _patient(server, token)
        before = _audit_entries(server.database)
        endpoints = {
            "health": _script("GET", None, None),
            "recommendations": _script("GET", None, token),
            "CDS patient-view": _script("POST", _patient_view(), None),
        }
        paths = {
            "health": "/health",
            "recommendations": f"/patients/{patient_id}/recommendations",
            "CDS patient-view": "/cds-services/painpath-patient-view",
        }
        for name, path in paths.items():
            _check(server, path, endpoints[name], name)
        audited = 2  # the two checks above that are audited
        figures = []
        for count in connections:
            loads = {
                name: _wrk(
                    server,
                    path=paths[name],
                    file=Path(folder) / f"{index}.lua",
                    script=script,
                    connections=count,
                    seconds=seconds,
                )
                for index, (name, script) in enumerate(endpoints.items())
            }
            ceiling = loads["health"]
            for name in ("recommendations", "CDS patient-view"):
                load = loads[name]
                audited += load.requests
                figures += _figures(name, count, load, ceiling)
        after = _audit_entries(server.database)
        verified = subprocess.run(
            [str(PAINPATH), "audit", "verify"],
            env=server.environment,
            capture_output=True,
            text=True,
            check=False,
        )
    entries = after - before
    # wrk stops with requests in flight: the server answered (and audited) them, wrk did not count
    # them, so up to one per connection per run may be audited beyond the count.
    slack = sum(connections) * 2
    complete = audited <= entries <= audited + slack
    figures.append(
        Figure(
            _SECTION,
            "audit entries written / requests answered",
            entries,
            "entries",
            ceiling=audited,
            ceiling_name="requests wrk counted",
            larger_is_slower=True,
            notes=(
                f"{'complete' if complete else 'INCOMPLETE'} (at most {slack} in flight at stops); "
                f"painpath audit verify: {'passes' if verified.returncode == 0 else 'FAILS'}"
            ),
        )
    )
    if not complete or verified.returncode != 0:
        raise RuntimeError(
            f"audit check failed: {entries} entries, {audited} requests; "
            f"{verified.stdout}{verified.stderr}"
        )
    return figures


def _figures(name: str, count: int, load: Load, ceiling: Load) -> list[Figure]:
    notes = f"{load.requests:,} requests" + (f", {load.failed} failed" if load.failed else "")
    common = {"ceiling_name": "/health, same server", "notes": notes}
    label = f"{name}, {count} conn."
    return [
        Figure(
            _SECTION,
            f"{label}, throughput",
            load.per_second,
            "req/s",
            ceiling=ceiling.per_second,
            ceiling_name=common["ceiling_name"],
            notes=notes,
        ),
        *(
            Figure(
                _SECTION,
                f"{label}, {quantile}",
                value,
                "ms",
                ceiling=limit,
                larger_is_slower=True,
                ceiling_name=common["ceiling_name"],
                notes=notes,
            )
            for quantile, value, limit in (
                ("p50", load.p50_ms, ceiling.p50_ms),
                ("p95", load.p95_ms, ceiling.p95_ms),
                ("p99", load.p99_ms, ceiling.p99_ms),
            )
        ),
    ]


@dataclass(frozen=True)
class _Server:
    url: str
    environment: dict[str, str]
    database: Path


@contextmanager
def _server(folder: Path, patients: int) -> Iterator[_Server]:
    data = folder / "data"
    environment = {
        **os.environ,
        "PAINPATH_DATA_DIR": str(data),
        "PAINPATH_CDS_ALLOW_UNAUTHENTICATED": "1",
        "COLUMNS": "200",
    }
    environment.pop("PAINPATH_DATABASE_URL", None)
    demo = subprocess.run(
        [
            str(PAINPATH),
            "demo",
            "--patients",
            str(patients),
            "--seed",
            "7",
            "--cases",
            str(ROOT / "examples" / "cases"),
        ],
        env=environment,
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    environment["BENCH_PASSWORD"] = _password(demo.stdout)
    port = _free_port()
    log = (folder / "serve.log").open("w")
    process = subprocess.Popen(
        [str(PAINPATH), "serve", "--port", str(port)],
        env=environment,
        stdout=log,
        stderr=subprocess.STDOUT,
        cwd=ROOT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait(url, process)
        yield _Server(url, environment, data / "painpath.db")
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


def _password(output: str) -> str:
    found = re.search(r"demo-physician\s*│\s*(\S+)\s*│", output)
    if found is None:
        raise RuntimeError(f"no password for demo-physician in:\n{output}")
    return found.group(1)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _wait(url: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("painpath serve stopped while starting")
        try:
            if httpx.get(url + "/health", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise RuntimeError("painpath serve did not answer within a minute")


def _token(server: _Server) -> str:
    answer = httpx.post(
        server.url + "/auth/login",
        json={"username": "demo-physician", "password": server.environment["BENCH_PASSWORD"]},
    )
    answer.raise_for_status()
    token: str = answer.json()["token"]
    return token


def _patient(server: _Server, token: str) -> int:
    answer = httpx.get(server.url + "/patients", headers={"Authorization": f"Bearer {token}"})
    answer.raise_for_status()
    body = answer.json()
    items = body["items"] if isinstance(body, dict) else body
    patient: int = items[0]["id"]
    return patient


def _patient_view() -> dict[str, Any]:
    """A patient-view request with a full prefetch from the fixture bundle."""
    bundle = json.loads(FIXTURE.read_text(encoding="utf-8"))
    resources = [entry["resource"] for entry in bundle["entry"]]
    patient_id = next(r["id"] for r in resources if r["resourceType"] == "Patient")
    text = json.dumps(resources).replace(f"urn:uuid:{patient_id}", f"Patient/{patient_id}")
    resources = json.loads(text)
    prefetch: dict[str, Any] = dict.fromkeys(_PREFETCH_KEYS.values())
    for kind, key in _PREFETCH_KEYS.items():
        found = [r for r in resources if r["resourceType"] == kind]
        if kind == "Patient":
            prefetch[key] = found[0]
        elif found:
            prefetch[key] = {
                "resourceType": "Bundle",
                "type": "searchset",
                "entry": [{"resource": r} for r in found],
            }
    return {
        "hook": "patient-view",
        "hookInstance": "d1577c69-dfbe-44ad-ba6d-3e05e953b2ea",
        "context": {"userId": "Practitioner/example", "patientId": patient_id},
        "prefetch": prefetch,
    }


def _script(method: str, body: dict[str, Any] | None, token: str | None) -> str:
    return _SCRIPT.format(
        method=method,
        body="nil" if body is None else "[==[" + json.dumps(body) + "]==]",
        authorization=f'wrk.headers["Authorization"] = "Bearer {token}"' if token else "",
    )


def _check(server: _Server, path: str, script: str, name: str) -> None:
    """One request as wrk will send it, so a broken endpoint fails loudly, not as fast 4xx."""
    method = re.search(r'wrk.method = "(\w+)"', script)
    body = re.search(r"\[==\[(.*)\]==\]", script, re.DOTALL)
    token = re.search(r'"Bearer (\S+)"', script)
    answer = httpx.request(
        method.group(1) if method else "GET",
        server.url + path,
        content=body.group(1) if body else None,
        headers={"Content-Type": "application/json"}
        | ({"Authorization": f"Bearer {token.group(1)}"} if token else {}),
        timeout=30,
    )
    if answer.status_code != 200:
        raise RuntimeError(f"{name}: {answer.status_code} {answer.text[:300]}")


def _wrk(
    server: _Server, *, path: str, file: Path, script: str, connections: int, seconds: int
) -> Load:
    file.write_text(script, encoding="utf-8")
    ran = subprocess.run(
        [
            "wrk",
            "-t",
            str(min(2, connections)),
            "-c",
            str(connections),
            "-d",
            f"{seconds}s",
            "--timeout",
            "30s",
            "-s",
            str(file),
            server.url + path,
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    found = re.search(r"^RESULT (\{.*\})$", ran.stdout, re.MULTILINE)
    if found is None:
        raise RuntimeError(f"wrk gave no result:\n{ran.stdout}{ran.stderr}")
    result = json.loads(found.group(1))
    return Load(
        requests=result["requests"],
        per_second=result["requests"] / result["seconds"],
        p50_ms=result["p50"],
        p95_ms=result["p95"],
        p99_ms=result["p99"],
        failed=result["non_2xx"] + result["errors"],
    )


def _audit_entries(database: Path) -> int:
    with sqlite3.connect(database) as connection:
        (count,) = connection.execute("SELECT count(*) FROM audit_entries").fetchone()
    return int(count)
