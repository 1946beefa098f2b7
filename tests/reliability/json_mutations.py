"""Hypothesis strategies that break valid JSON documents the way clients and files break them:
a field deleted, a value replaced by another of any type, an item repeated, a value moved to
another place; and, on the encoded bytes, a cut or a changed byte."""

from __future__ import annotations

import copy
import json
from typing import Any

from hypothesis import strategies as st

Path = tuple[str | int, ...]

# Values that validators tend to trip on, besides arbitrary ones.
AWKWARD: list[Any] = [
    None,
    "",
    " ",
    "0000-00-00",
    "9999-12-31",
    "0001-01-01",
    "2026-02-30",
    "NaN",
    -1,
    0,
    10**30,
    -(10**30),
    1e308,
    -0.0,
    True,
    [],
    {},
    "\u0000",
    "𝔘nicode ✓",
    "x" * 10_000,
]

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=40)
    | st.sampled_from(AWKWARD),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=12,
)


def paths(document: Any, here: Path = ()) -> list[Path]:
    """Every place in the document, the root excepted."""
    found: list[Path] = []
    items: list[tuple[str | int, Any]] = []
    if isinstance(document, dict):
        items = list(document.items())
    elif isinstance(document, list):
        items = list(enumerate(document))
    for key, value in items:
        found.append((*here, key))
        found.extend(paths(value, (*here, key)))
    return found


def _parent(document: Any, path: Path) -> Any:
    for key in path[:-1]:
        document = document[key]
    return document


def _get(document: Any, path: Path) -> Any:
    for key in path:
        document = document[key]
    return document


@st.composite
def mutated_document(draw: st.DrawFn, original: Any, *, steps: int = 4) -> Any:
    """``original`` with one to ``steps`` mutations."""
    document = copy.deepcopy(original)
    for _ in range(draw(st.integers(1, steps))):
        places = paths(document)
        if not places:
            break
        path = draw(st.sampled_from(places))
        parent, key = _parent(document, path), path[-1]
        operation = draw(st.sampled_from(["delete", "replace", "repeat", "move"]))
        if operation == "delete":
            del parent[key]
        elif operation == "replace":
            parent[key] = draw(json_values)
        elif operation == "repeat" and isinstance(parent, list):
            parent.insert(int(key), copy.deepcopy(parent[int(key)]))
        elif operation == "move":
            source = draw(st.sampled_from(places))
            parent[key] = copy.deepcopy(_get(document, source)) if source != path else None
    return document


@st.composite
def mutated_bytes(draw: st.DrawFn, original: Any) -> bytes:
    """``original`` mutated, encoded, and sometimes cut short or with one byte changed."""
    data = json.dumps(draw(mutated_document(original))).encode()
    damage = draw(st.sampled_from(["none", "none", "cut", "byte"]))
    if damage == "cut" and data:
        data = data[: draw(st.integers(0, len(data) - 1))]
    elif damage == "byte" and data:
        at = draw(st.integers(0, len(data) - 1))
        data = data[:at] + bytes([draw(st.integers(0, 255))]) + data[at + 1 :]
    return data
