"""CDS Hooks 2.0: the services painpath offers an EHR, their prefetch templates, and the request.

Three services: ``painpath-patient-view`` (the chart is opened: red flags, candidacy and the
best procedure options) and ``painpath-order-select`` / ``painpath-order-sign`` (an
interventional procedure is being ordered: is it recommended, what is missing, which blood
thinner to hold). Each asks the EHR to prefetch the resources the engine reads; what the EHR
does not send is fetched from its FHIR server (``cds_hooks_fetch``) or reported as missing.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final
from urllib.parse import quote

from pydantic import BaseModel, ConfigDict, Field

from painpath.interop import fhir_codes as codes
from painpath.interop.fhir_bundle import BundleLimits, Entry, read_bundle

PATIENT_VIEW: Final = "painpath-patient-view"
ORDER_SELECT: Final = "painpath-order-select"
ORDER_SIGN: Final = "painpath-order-sign"

_OBSERVATION_CODES: Final = ",".join(
    f"{codes.LOINC}|{code}" for code in (codes.LOINC_PAIN_SEVERITY, *codes.LOINC_LABS)
)

# What the engine reads, as FHIR searches for the patient in context. A key the EHR leaves
# out is fetched from its FHIR server when it gives one; a key sent as null means "none".
PREFETCH: Final[Mapping[str, str]] = {
    "patient": "Patient/{{context.patientId}}",
    "conditions": "Condition?patient={{context.patientId}}",
    "observations": f"Observation?patient={{{{context.patientId}}}}&code={_OBSERVATION_CODES}",
    "medicationRequests": "MedicationRequest?patient={{context.patientId}}",
    "medicationStatements": "MedicationStatement?patient={{context.patientId}}",
    "procedures": "Procedure?patient={{context.patientId}}",
    "allergies": "AllergyIntolerance?patient={{context.patientId}}",
}


@dataclass(frozen=True)
class Service:
    id: str
    hook: str
    title: str
    description: str


SERVICES: Final[Mapping[str, Service]] = {
    service.id: service
    for service in (
        Service(
            PATIENT_VIEW,
            "patient-view",
            "painpath: back-pain procedure options",
            "Red flags, the candidacy criteria and the interventional procedures the published "
            "criteria support for this patient, with what is missing to decide.",
        ),
        Service(
            ORDER_SELECT,
            "order-select",
            "painpath: interventional procedure order check",
            "Whether the selected interventional spine procedure is recommended, conditional or "
            "contraindicated, what documentation is missing, and which blood thinner to hold.",
        ),
        Service(
            ORDER_SIGN,
            "order-sign",
            "painpath: interventional procedure order check at signing",
            "The order check of painpath-order-select, for the orders about to be signed.",
        ),
    )
}


def discovery() -> dict[str, Any]:
    """The discovery document (``GET /cds-services``)."""
    return {
        "services": [
            {
                "hook": service.hook,
                "title": service.title,
                "description": service.description,
                "id": service.id,
                "prefetch": dict(PREFETCH),
            }
            for service in SERVICES.values()
        ]
    }


class FhirAuthorization(BaseModel):
    """The access token the EHR grants for its FHIR server."""

    model_config = ConfigDict(extra="allow")

    access_token: str = Field(min_length=1, max_length=8192)
    token_type: str = "Bearer"
    expires_in: int | None = None
    scope: str | None = None
    subject: str | None = None


class HookRequest(BaseModel):
    """A call to a CDS service (the spec's HTTP request body)."""

    model_config = ConfigDict(extra="allow", populate_by_name=True)

    hook: str = Field(min_length=1, max_length=100)
    hook_instance: str = Field(alias="hookInstance", min_length=1, max_length=100)
    fhir_server: str | None = Field(default=None, alias="fhirServer", max_length=2000)
    fhir_authorization: FhirAuthorization | None = Field(default=None, alias="fhirAuthorization")
    context: dict[str, Any]
    prefetch: dict[str, Any] = Field(default_factory=dict)

    @property
    def patient_id(self) -> str | None:
        value = self.context.get("patientId")
        return value if isinstance(value, str) and value else None


_TOKEN = re.compile(r"\{\{\s*context\.([A-Za-z0-9_]+)\s*\}\}")


class MissingContextError(ValueError):
    """A prefetch template names a context field the request does not carry."""


def resolve_template(template: str, context: Mapping[str, Any]) -> str:
    """The template with each ``{{context.x}}`` replaced by the context's (URL-quoted) value."""

    def value(match: re.Match[str]) -> str:
        found = context.get(match[1])
        if not isinstance(found, str | int) or isinstance(found, bool) or found == "":
            raise MissingContextError(f"context.{match[1]}")
        return quote(str(found), safe="")

    return _TOKEN.sub(value, template)


def prefetched_resources(value: Any) -> list[dict[str, Any]]:
    """The resources one prefetch value holds: a resource, a searchset Bundle's entries
    (an OperationOutcome the server adds is left out), or none for null."""
    if not isinstance(value, dict):
        return []
    if value.get("resourceType") != "Bundle":
        return [value]
    found = []
    for entry in value.get("entry") or []:
        resource = entry.get("resource") if isinstance(entry, dict) else None
        if isinstance(resource, dict) and resource.get("resourceType") != "OperationOutcome":
            found.append(resource)
    return found


def as_entries(resources: list[dict[str, Any]], limits: BundleLimits) -> list[Entry]:
    """The resources as the entries of a collection Bundle, each validated as the FHIR import
    validates a bundle's (BundleRejectedError naming every problem)."""
    bundle = {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [{"resource": resource} for resource in resources],
    }
    return read_bundle(json.dumps(bundle).encode(), limits)
