"""Read an RxNorm clinical drug name: its ingredients with their strengths, and the dose form.

RxNorm names clinical drugs in one pattern: an optional duration ("72 HR", after
"Abuse-Deterrent" where it applies), an optional quantity ("1 ML"), ingredients each with a
strength ("Acetaminophen 325 MG / Oxycodone Hydrochloride 5 MG"), and the dose form ("Oral
Tablet", "Transdermal System").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from painpath.domain.vocabulary import DoseUnit, Route

_DURATION = re.compile(r"^\d+(\.\d+)? HR ", re.IGNORECASE)
_QUANTITY = re.compile(r"^\d+(\.\d+)? (ML|ACTUAT) ", re.IGNORECASE)
_PART = re.compile(
    r"^(?P<ingredient>.+?) (?P<amount>\d+(\.\d+)?) (?P<unit>[A-Z]+(/[A-Z]+)?)(?: (?P<form>.+))?$",
    re.IGNORECASE,
)
_MCG_PER_MG = 1000

# RxNorm strength units -> painpath's unit and the factor to it.
_UNITS: dict[str, tuple[DoseUnit, float]] = {
    "MG": (DoseUnit.MG, 1),
    "MCG": (DoseUnit.MCG, 1),
    "MG/ML": (DoseUnit.MG, 1),  # per mL: the dose in mL is then the units per dose
    "MG/HR": (DoseUnit.MCG_PER_HOUR, _MCG_PER_MG),
    "MCG/HR": (DoseUnit.MCG_PER_HOUR, 1),
    "UNT": (DoseUnit.UNITS, 1),
    "UNT/ML": (DoseUnit.UNITS, 1),
}

# Dose-form words -> the route; injectable forms name no route (IV, IM or SC).
_ROUTES: tuple[tuple[str, Route], ...] = (
    ("transdermal", Route.TRANSDERMAL),
    ("sublingual", Route.SUBLINGUAL),
    ("buccal", Route.BUCCAL),
    ("nasal", Route.NASAL),
    ("oral", Route.ORAL),
)


@dataclass(frozen=True)
class Ingredient:
    name: str
    strength: float | None
    unit: DoseUnit | None


@dataclass(frozen=True)
class ClinicalDrug:
    ingredients: tuple[Ingredient, ...]
    form: str | None
    route: Route | None


def parse_clinical_drug(name: str) -> ClinicalDrug | None:
    """The parts of an RxNorm clinical drug name, or None when it is not one."""
    text = _QUANTITY.sub("", _DURATION.sub("", name.strip().removeprefix("Abuse-Deterrent ")))
    parts = [part.strip() for part in text.split(" / ")]
    ingredients: list[Ingredient] = []
    form: str | None = None
    for index, part in enumerate(parts):
        match = _PART.match(part)
        if match is None:
            return None
        if match["form"] is not None and index != len(parts) - 1:
            return None
        form = match["form"] or form
        unit_text = match["unit"].upper()
        unit = _UNITS.get(unit_text)
        strength = float(match["amount"]) * unit[1] if unit else None
        ingredients.append(
            Ingredient(
                name=match["ingredient"].lower(),
                strength=strength,
                unit=unit[0] if unit else None,
            )
        )
    lowered = (form or "").lower()
    route = next((route for word, route in _ROUTES if word in lowered), None)
    return ClinicalDrug(ingredients=tuple(ingredients), form=form, route=route)
