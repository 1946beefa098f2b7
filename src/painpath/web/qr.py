"""QR codes drawn on the server, as ``data:`` image URLs a strict CSP allows (img-src data:)."""

from __future__ import annotations

import base64
import io

import segno


def qr_data_url(text: str) -> str:
    """``text`` as a QR code: an SVG image in a base64 ``data:`` URL, for ``<img src>``."""
    code = segno.make(text, error="m", micro=False)
    svg = io.BytesIO()
    code.save(svg, kind="svg", scale=6, border=4, xmldecl=False, dark="#000", light="#fff")
    return "data:image/svg+xml;base64," + base64.b64encode(svg.getvalue()).decode("ascii")
