"""PDF documents from the Jinja2 templates in documents/templates/, laid out by WeasyPrint.

render_pdf(template, context, *, language="en", title) -> bytes renders a template that extends
"_document.html" (A4; header with `clinic_name` if given; footer "Page X of Y" and the date);
templates use _()/ngettext (the `documents` catalogue, English fallback) and `|long_date`.
pdf_to_text, pdf_fonts and pdf_page_png read a PDF back with poppler (tests and checks).

WeasyPrint lays the HTML out with Pango, which needs Debian's ``libpango-1.0-0`` and
``libpangoft2-1.0-0``; the fonts are Debian's ``fonts-noto-core`` (Noto Sans for Latin text, Noto
Sans Devanagari for Hindi, Noto Sans Telugu for Telugu), chosen per character by the font-family
list in ``document.css``. ``make system-deps`` installs all of them and poppler-utils.
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import tempfile
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any, Final

from babel.dates import format_date
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from painpath.documents.translations import as_language, translations

TEMPLATES_DIR: Final = Path(__file__).resolve().parent / "templates"
BASE_TEMPLATE: Final = "_document.html"


class PdfToolMissingError(RuntimeError):
    """A poppler tool needed to read a PDF back is not installed."""


# Stand-ins for the page counters inside a translated footer, swapped for CSS counter() calls.
PAGE: Final = "\x01"
PAGES: Final = "\x02"


def css_string(value: object) -> Markup:
    """``value`` as a quoted CSS string, safe inside a ``<style>`` element.

    Page margin boxes (header, footer) take their text from CSS ``content``, where HTML escaping
    means nothing; CSS escapes keep a quote or ``</style>`` in a clinic's name from breaking out.
    ``PAGE`` and ``PAGES`` in the text become the page number and the page count.
    """
    text = value.unescape() if isinstance(value, Markup) else str(value)
    escaped = "".join(
        f"\\{ord(char):x} " if char in '"\\<>&' or ord(char) < 0x20 else char for char in text
    )
    escaped = escaped.replace(_escaped(PAGE), '" counter(page) "')
    escaped = escaped.replace(_escaped(PAGES), '" counter(pages) "')
    return Markup(f'"{escaped}"')  # every character that could break out is escaped


def _escaped(char: str) -> str:
    return f"\\{ord(char):x} "


@cache
def _environment(language: str) -> Environment:
    # One environment per language: installing translations on a shared one would race.
    environment = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=True,
        undefined=StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.install_gettext_translations(translations(language), newstyle=True)  # type: ignore[attr-defined]
    locale = language if as_language(language) else "en"

    def long_date(day: dt.date) -> str:
        return format_date(day, format="long", locale=locale)

    environment.filters["long_date"] = long_date
    environment.filters["css_string"] = css_string
    environment.globals["PAGE"] = PAGE
    environment.globals["PAGES"] = PAGES
    return environment


def render_html(
    template: str,
    context: Mapping[str, Any],
    *,
    language: str = "en",
    title: str,
    today: dt.date | None = None,
) -> str:
    """The HTML ``render_pdf`` lays out (useful to inspect a document without a PDF)."""
    page = _environment(language).get_template(template)
    return page.render(
        {
            **context,
            "language": language,
            "title": title,
            "generated_on": today or dt.datetime.now(dt.UTC).date(),
        }
    )


def render_pdf(
    template: str,
    context: Mapping[str, Any],
    *,
    language: str = "en",
    title: str,
    today: dt.date | None = None,
) -> bytes:
    """``template`` rendered with ``context`` in ``language``, laid out as a PDF."""
    from weasyprint import HTML  # imported here: loading Pango is slow and only documents need it

    html = render_html(template, context, language=language, title=title, today=today)
    document = HTML(string=html, base_url=str(TEMPLATES_DIR))
    # PDF/UA-1: tagged structure, language and title, so a screen reader can read the document.
    data: bytes = document.write_pdf(pdf_variant="pdf/ua-1")
    return data


def _poppler(tool: str) -> str:
    found = shutil.which(tool)
    if found is None:
        raise PdfToolMissingError(f"{tool} is missing: install poppler-utils (make system-deps)")
    return found


def _run_on_pdf(data: bytes, command: list[str], *, after: tuple[str, ...] = ()) -> bytes:
    """The output of ``command`` run on ``data`` written to a file (``after`` follows its path)."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "document.pdf"
        path.write_bytes(data)
        done = subprocess.run(
            [*command, str(path), *after], check=True, capture_output=True, timeout=60
        )
    return done.stdout


def pdf_to_text(data: bytes) -> str:
    """The text of the PDF ``data``, as poppler's pdftotext extracts it (UTF-8)."""
    command = [_poppler("pdftotext"), "-enc", "UTF-8"]
    return _run_on_pdf(data, command, after=("-",)).decode("utf-8")


def pdf_fonts(data: bytes) -> set[str]:
    """The names of the fonts the PDF ``data`` embeds, without the subset prefix."""
    listing = _run_on_pdf(data, [_poppler("pdffonts")]).decode("utf-8")
    names: set[str] = set()
    for line in listing.splitlines()[2:]:  # a header line and a rule precede the fonts
        name = line.split(maxsplit=1)[0] if line.strip() else ""
        if name:
            names.add(name.split("+", 1)[-1])
    return names


def pdf_page_png(data: bytes, *, page: int = 1, dpi: int = 50) -> bytes:
    """Page ``page`` of the PDF ``data`` as a PNG image, drawn by poppler's pdftoppm."""
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "document.pdf"
        source.write_bytes(data)
        target = Path(folder) / "page"
        subprocess.run(
            [
                _poppler("pdftoppm"),
                "-png",
                "-r",
                str(dpi),
                "-f",
                str(page),
                "-l",
                str(page),
                "-singlefile",
                str(source),
                str(target),
            ],
            check=True,
            capture_output=True,
            timeout=60,
        )
        return target.with_suffix(".png").read_bytes()
