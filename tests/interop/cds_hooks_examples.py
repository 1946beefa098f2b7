"""CDS Hooks test material: the specification's example requests, prefetch built from the
fixture bundles, EHR signing keys and tokens, a clients file, and a small FHIR server.

The example requests follow the CDS Hooks 2.0 specification (the patient-view request of
"Calling a CDS Service", and the R4 order-select example, to which a ServiceRequest for an
interventional procedure is added). All patients are synthetic.
"""

from __future__ import annotations

import copy
import json
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jwt
import yaml
from cryptography.hazmat.primitives.asymmetric import ec, rsa

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "fhir"
CDS_BASE = "https://cds.example.org"
EHR_ISSUER = "https://fhir-ehr.example.com/"
RSA_ISSUER = "https://rsa-ehr.example.com/"
ACCESS_TOKEN = "some-opaque-fhir-access-token"

# The specification's patient-view request ("Calling a CDS Service", Example).
SPEC_PATIENT_VIEW: dict[str, Any] = {
    "hookInstance": "d1577c69-dfbe-44ad-ba6d-3e05e953b2ea",
    "fhirServer": "http://hooks.smarthealthit.org:9080",
    "hook": "patient-view",
    "fhirAuthorization": {
        "access_token": ACCESS_TOKEN,
        "token_type": "Bearer",
        "expires_in": 300,
        "scope": "patient/Patient.read patient/Observation.read",
        "subject": "cds-service4",
    },
    "context": {"userId": "Practitioner/example", "patientId": "1288992", "encounterId": "89284"},
    "prefetch": {
        "patientToGreet": {
            "resourceType": "Patient",
            "gender": "male",
            "birthDate": "1925-12-23",
            "id": "1288992",
            "active": True,
        }
    },
}

_NUTRITION_ORDER: dict[str, Any] = {
    "resourceType": "NutritionOrder",
    "id": "pureeddiet-simple",
    "status": "draft",
    "intent": "order",
    "patient": {"reference": "Patient/1288992"},
    "dateTime": "2014-09-17",
    "oralDiet": {
        "type": [
            {
                "coding": [
                    {
                        "system": "http://snomed.info/sct",
                        "code": "226211001",
                        "display": "Pureed diet",
                    }
                ],
                "text": "Pureed diet",
            }
        ]
    },
}
_MEDICATION_REQUEST: dict[str, Any] = {
    "resourceType": "MedicationRequest",
    "id": "smart-MedicationRequest-103",
    "status": "draft",
    "intent": "order",
    "medicationCodeableConcept": {
        "coding": [
            {
                "system": "http://www.nlm.nih.gov/research/umls/rxnorm",
                "code": "617993",
                "display": (
                    "Amoxicillin 120 MG/ML / clavulanate potassium 8.58 MG/ML Oral Suspension"
                ),
            }
        ]
    },
    "subject": {"reference": "Patient/1288992"},
}

# The specification's R4 order-select example (its two draft orders, trimmed of detail).
SPEC_ORDER_SELECT: dict[str, Any] = {
    "hookInstance": "b6a5e2f0-4a0e-4f5b-9a53-2b1c8e6e1a10",
    "hook": "order-select",
    "context": {
        "userId": "PractitionerRole/123",
        "patientId": "1288992",
        "encounterId": "89284",
        "selections": [
            "NutritionOrder/pureeddiet-simple",
            "MedicationRequest/smart-MedicationRequest-103",
        ],
        "draftOrders": {
            "resourceType": "Bundle",
            "entry": [{"resource": _NUTRITION_ORDER}, {"resource": _MEDICATION_REQUEST}],
        },
    },
    "prefetch": {"patient": SPEC_PATIENT_VIEW["prefetch"]["patientToGreet"]},
}


def service_request(
    cpt: str, *, patient_id: str, order_id: str = "esi-1", on: str | None = None
) -> dict[str, Any]:
    """A draft ServiceRequest for the procedure with CPT code ``cpt``."""
    order: dict[str, Any] = {
        "resourceType": "ServiceRequest",
        "id": order_id,
        "status": "draft",
        "intent": "order",
        "code": {"coding": [{"system": "http://www.ama-assn.org/go/cpt", "code": cpt}]},
        "subject": {"reference": f"Patient/{patient_id}"},
    }
    if on is not None:
        order["occurrenceDateTime"] = on
    return order


def order_request(
    hook: str, orders: list[dict[str, Any]], *, patient_id: str, prefetch: dict[str, Any]
) -> dict[str, Any]:
    """An order-select (every order selected) or order-sign request for ``orders``."""
    context: dict[str, Any] = {
        "userId": "PractitionerRole/123",
        "patientId": patient_id,
        "draftOrders": {"resourceType": "Bundle", "entry": [{"resource": o} for o in orders]},
    }
    if hook == "order-select":
        context["selections"] = [f"{o['resourceType']}/{o['id']}" for o in orders]
    return {
        "hookInstance": str(uuid.uuid4()),
        "hook": hook,
        "context": context,
        "prefetch": prefetch,
    }


_PREFETCH_KEYS = {
    "Patient": "patient",
    "Condition": "conditions",
    "Observation": "observations",
    "MedicationRequest": "medicationRequests",
    "MedicationStatement": "medicationStatements",
    "Procedure": "procedures",
    "AllergyIntolerance": "allergies",
}


def fixture_resources(name: str) -> tuple[str, list[dict[str, Any]]]:
    """The fixture bundle's patient id and resources, with references made ``Patient/<id>``
    as an EHR's FHIR server gives them."""
    bundle = json.loads((FIXTURES / name).read_text(encoding="utf-8"))
    resources = [entry["resource"] for entry in bundle["entry"]]
    patient_id = next(r["id"] for r in resources if r["resourceType"] == "Patient")
    text = json.dumps(resources).replace(f"urn:uuid:{patient_id}", f"Patient/{patient_id}")
    return patient_id, json.loads(text)


def fixture_prefetch(name: str) -> tuple[str, dict[str, Any]]:
    """The patient id and a full prefetch (one searchset Bundle per key) from a fixture."""
    patient_id, resources = fixture_resources(name)
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
    return patient_id, prefetch


# --- Keys and tokens -----------------------------------------------------------------------


@dataclass(frozen=True)
class SigningKey:
    """An EHR's private key and the public JWK painpath is given."""

    kid: str
    algorithm: str
    private: Any
    public_jwk: dict[str, Any]


def es384_key(kid: str = "ehr-es384") -> SigningKey:
    private = ec.generate_private_key(ec.SECP384R1())
    public = jwt.algorithms.ECAlgorithm.to_jwk(private.public_key(), as_dict=True)
    return SigningKey(kid, "ES384", private, {**public, "kid": kid, "use": "sig", "alg": "ES384"})


def rs384_key(kid: str = "ehr-rs384") -> SigningKey:
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public = jwt.algorithms.RSAAlgorithm.to_jwk(private.public_key(), as_dict=True)
    return SigningKey(kid, "RS384", private, {**public, "kid": kid, "use": "sig", "alg": "RS384"})


def token(
    key: SigningKey,
    *,
    aud: str | list[str],
    iss: str = EHR_ISSUER,
    lifetime: int = 300,
    issued: float | None = None,
    jti: str | None = None,
    headers: dict[str, Any] | None = None,
) -> str:
    """A CDS Hooks JWT signed by ``key``."""
    now = int(issued if issued is not None else time.time())
    claims = {
        "iss": iss,
        "sub": "client_id",
        "aud": aud,
        "iat": now,
        "exp": now + lifetime,
        "jti": jti or str(uuid.uuid4()),
        "tenant": "2ddd6c3a-8e9a-44c6-a305-52111ad302a2",
    }
    return jwt.encode(
        claims,
        key.private,
        algorithm=key.algorithm,
        headers={"kid": key.kid, "typ": "JWT", **(headers or {})},
    )


def bearer(value: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {value}"}


def write_clients(path: Path, clients: list[dict[str, Any]]) -> Path:
    path.write_text(yaml.safe_dump({"clients": clients}), encoding="utf-8")
    return path


# --- A FHIR server -------------------------------------------------------------------------


@dataclass
class FhirServer:
    base_url: str
    seen_tokens: list[str | None]
    paths: list[str]


@contextmanager
def fhir_server(resources: list[dict[str, Any]]) -> Iterator[FhirServer]:
    """An HTTP FHIR server on 127.0.0.1 answering reads and ``?patient=`` searches of
    ``resources``; a call without the access token is answered 401."""
    by_type: dict[str, list[dict[str, Any]]] = {}
    for resource in resources:
        by_type.setdefault(resource["resourceType"], []).append(copy.deepcopy(resource))
    seen: list[str | None] = []
    paths: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            seen.append(self.headers.get("Authorization"))
            paths.append(self.path)
            if self.headers.get("Authorization") != f"Bearer {ACCESS_TOKEN}":
                self._send(401, {"resourceType": "OperationOutcome"})
                return
            parts = urlsplit(self.path)
            segments = parts.path.strip("/").split("/")[1:]  # after "fhir"
            if len(segments) == 2:
                found = [r for r in by_type.get(segments[0], []) if r.get("id") == segments[1]]
                self._send(200, found[0]) if found else self._send(404, {})
                return
            patient = parse_qs(parts.query).get("patient", [""])[0]
            matches = [
                r
                for r in by_type.get(segments[0], [])
                if (r.get("subject") or r.get("patient") or {}).get("reference")
                == f"Patient/{patient}"
            ]
            bundle = {
                "resourceType": "Bundle",
                "type": "searchset",
                "total": len(matches),
                "entry": [{"resource": r, "search": {"mode": "match"}} for r in matches],
            }
            self._send(200, bundle)

        def _send(self, code: int, body: dict[str, Any]) -> None:
            data = json.dumps(body).encode()
            self.send_response(code)
            self.send_header("Content-Type", "application/fhir+json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield FhirServer(f"http://127.0.0.1:{server.server_address[1]}/fhir", seen, paths)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
