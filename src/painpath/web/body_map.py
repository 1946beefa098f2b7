"""The body map drawing: a front and a back outline whose shapes are the body-map regions.

Each shape names its region (``BodyRegion``); a region seen from both sides (a thigh, an arm)
has a shape in each view and both follow the same tick box. The front view shows the
patient's right on the viewer's left, the back view the other way round, as on a paper pain
diagram. The drawing is an enhancement over the region tick boxes (static/js/body_map.js
connects them, by pointer and by keyboard); without JavaScript the tick boxes alone do the work.

The template ``_body_map.html`` draws it for the intake form and the patient's self-report
alike; region names and captions are English messages that the page translates.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from painpath.domain.records import BodyRegion
from painpath.web.i18n import N_

View = Literal["front", "back"]
Element = Literal["rect", "ellipse", "circle"]
Attributes = tuple[tuple[str, str], ...]
WIDTH = 440
HEIGHT = 470
_CENTRES: dict[View, int] = {"front": 110, "back": 330}


@dataclass(frozen=True)
class Shape:
    view: View
    region: BodyRegion | None  # None: outline only (the head, the front of the trunk)
    element: Element
    attributes: Attributes


def _rect(
    x: float, y: float, width: float, height: float, radius: float = 6
) -> tuple[Element, Attributes]:
    return "rect", (
        ("x", f"{x:g}"),
        ("y", f"{y:g}"),
        ("width", f"{width:g}"),
        ("height", f"{height:g}"),
        ("rx", f"{radius:g}"),
    )


def _ellipse(cx: float, cy: float, rx: float, ry: float) -> tuple[Element, Attributes]:
    return "ellipse", (("cx", f"{cx:g}"), ("cy", f"{cy:g}"), ("rx", f"{rx:g}"), ("ry", f"{ry:g}"))


def _sided(view: View, region: str) -> tuple[BodyRegion, BodyRegion]:
    """The (viewer's left, viewer's right) regions of a pair in this view."""
    left, right = BodyRegion(f"{region}_left"), BodyRegion(f"{region}_right")
    return (right, left) if view == "front" else (left, right)


def _view(view: View) -> list[Shape]:
    c = _CENTRES[view]
    head: tuple[Element, Attributes] = ("circle", (("cx", f"{c}"), ("cy", "30"), ("r", "20")))
    parts: list[tuple[BodyRegion | None, tuple[Element, Attributes]]] = [
        (None, head),
        (BodyRegion.NECK, _rect(c - 9, 50, 18, 15, 3)),
    ]
    on_left, on_right = _sided(view, "shoulder")
    parts += [(on_left, _ellipse(c - 38, 75, 16, 11)), (on_right, _ellipse(c + 38, 75, 16, 11))]
    on_left, on_right = _sided(view, "arm")
    parts += [(on_left, _rect(c - 62, 88, 17, 110, 8)), (on_right, _rect(c + 45, 88, 17, 110, 8))]
    on_left, on_right = _sided(view, "hand")
    parts += [(on_left, _ellipse(c - 54, 212, 9, 13)), (on_right, _ellipse(c + 54, 212, 9, 13))]
    if view == "front":
        parts.append((None, _rect(c - 30, 66, 60, 128, 12)))
        on_left, on_right = _sided(view, "groin")
        parts += [
            (on_left, _rect(c - 29, 196, 28, 20, 4)),
            (on_right, _rect(c + 1, 196, 28, 20, 4)),
        ]
        top = 219
    else:
        parts.append((BodyRegion.THORACIC, _rect(c - 28, 66, 56, 64, 10)))
        for row, (name, y, height) in enumerate((("lumbar", 132, 34), ("sacral", 168, 24))):
            on_left, on_right = _sided(view, name)
            inset = 0 if row == 0 else 12
            width = 28 - inset
            parts += [
                (on_left, _rect(c - 28 + inset, y, width, height, 4)),
                (on_right, _rect(c, y, width, height, 4)),
            ]
        on_left, on_right = _sided(view, "buttock")
        parts += [
            (on_left, _ellipse(c - 15, 208, 15, 14)),
            (on_right, _ellipse(c + 15, 208, 15, 14)),
        ]
        top = 224
    on_left, on_right = _sided(view, "thigh")
    parts += [
        (on_left, _rect(c - 29, top, 27, 312 - top, 9)),
        (on_right, _rect(c + 2, top, 27, 312 - top, 9)),
    ]
    on_left, on_right = _sided(view, "leg")
    parts += [(on_left, _rect(c - 27, 316, 23, 94, 8)), (on_right, _rect(c + 4, 316, 23, 94, 8))]
    on_left, on_right = _sided(view, "foot")
    parts += [(on_left, _ellipse(c - 16, 424, 13, 8)), (on_right, _ellipse(c + 16, 424, 13, 8))]
    return [
        Shape(view=view, region=region, element=element, attributes=attributes)
        for region, (element, attributes) in parts
    ]


# Marked for translation here; the captions' "R" and "L" are the patient's right and left.
_VIEW_NAMES: dict[View, str] = {"front": N_("Front"), "back": N_("Back")}
_SIDE_LETTERS = (N_("R"), N_("L"))


@dataclass(frozen=True)
class Caption:
    x: int
    y: int
    text: str


def _captions(view: View) -> list[Caption]:
    c = _CENTRES[view]
    patient_right, patient_left = _SIDE_LETTERS
    left, right = (
        (patient_right, patient_left) if view == "front" else (patient_left, patient_right)
    )
    return [
        Caption(c, HEIGHT - 14, _VIEW_NAMES[view]),
        Caption(c - 82, 40, left),
        Caption(c + 82, 40, right),
    ]


# What a patient calls each region (and a clinician reads as readily).
REGION_NAMES: dict[BodyRegion, str] = {
    BodyRegion.NECK: N_("Neck"),
    BodyRegion.SHOULDER_LEFT: N_("Left shoulder"),
    BodyRegion.SHOULDER_RIGHT: N_("Right shoulder"),
    BodyRegion.ARM_LEFT: N_("Left arm"),
    BodyRegion.ARM_RIGHT: N_("Right arm"),
    BodyRegion.HAND_LEFT: N_("Left hand"),
    BodyRegion.HAND_RIGHT: N_("Right hand"),
    BodyRegion.THORACIC: N_("Upper back"),
    BodyRegion.LUMBAR_LEFT: N_("Lower back, left side"),
    BodyRegion.LUMBAR_RIGHT: N_("Lower back, right side"),
    BodyRegion.SACRAL_LEFT: N_("Base of the spine, left side"),
    BodyRegion.SACRAL_RIGHT: N_("Base of the spine, right side"),
    BodyRegion.BUTTOCK_LEFT: N_("Left buttock"),
    BodyRegion.BUTTOCK_RIGHT: N_("Right buttock"),
    BodyRegion.GROIN_LEFT: N_("Left groin"),
    BodyRegion.GROIN_RIGHT: N_("Right groin"),
    BodyRegion.THIGH_LEFT: N_("Left thigh"),
    BodyRegion.THIGH_RIGHT: N_("Right thigh"),
    BodyRegion.LEG_LEFT: N_("Left lower leg"),
    BodyRegion.LEG_RIGHT: N_("Right lower leg"),
    BodyRegion.FOOT_LEFT: N_("Left foot"),
    BodyRegion.FOOT_RIGHT: N_("Right foot"),
}

SHAPES: tuple[Shape, ...] = (*_view("front"), *_view("back"))
CAPTIONS: tuple[Caption, ...] = (*_captions("front"), *_captions("back"))


@dataclass(frozen=True)
class BodyMapDrawing:
    """What ``_body_map.html`` draws: the shapes, captions, size and the regions in order."""

    shapes: tuple[Shape, ...]
    captions: tuple[Caption, ...]
    width: int
    height: int
    regions: tuple[tuple[str, str], ...]  # (region code, English name to translate)


DRAWING = BodyMapDrawing(
    shapes=SHAPES,
    captions=CAPTIONS,
    width=WIDTH,
    height=HEIGHT,
    regions=tuple((region.value, REGION_NAMES[region]) for region in BodyRegion),
)
