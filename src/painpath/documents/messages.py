"""Every message the handout, the preparation sheet and the consent form show, for the
``documents`` catalogues.

The templates' headings and labels are extracted with Babel's Jinja2 extractor; the knowledge
base's sentences (each procedure's education text and the standard preparation instructions)
are listed from the loaded files, so the English in the knowledge base stays the message id.
``python -m painpath.documents.messages OUT.pot`` writes them as a template to merge with
``pybabel update -i OUT.pot -d src/painpath/locale -D documents --no-fuzzy-matching``.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Final

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_file
from babel.messages.pofile import write_po

from painpath.documents.consent import consent_messages, form_messages
from painpath.documents.handout import handout_messages
from painpath.documents.pdf import TEMPLATES_DIR
from painpath.knowledge_base.education import PREPARATION_FILE, load_preparation_instructions
from painpath.knowledge_base.loader import load_procedures

# The templates whose messages these catalogues carry (the base page and the translated
# documents'; the procedure note and the necessity letter are English only).
TEMPLATES: Final = ("_document.html", "handout.html", "preparation.html", "consent.html")


def template_messages(names: Iterable[str] = TEMPLATES) -> dict[str, list[str]]:
    """The templates' messages, each with the templates it is in."""
    found: dict[str, list[str]] = {}
    for name in names:
        for _line, message, _comments, _context in extract_from_file(
            "jinja2", TEMPLATES_DIR / name, options={"trimmed": "false"}
        ):
            if isinstance(message, str):
                found.setdefault(message, []).append(f"documents/templates/{name}")
    return found


def knowledge_messages() -> dict[str, list[str]]:
    """The knowledge base's sentences the documents show, each with the files it is in."""
    found: dict[str, list[str]] = {}
    for procedure in load_procedures().values():
        for message in handout_messages(procedure):
            found.setdefault(message, []).append(f"knowledge/procedures/{procedure.id}.yaml")
        for message in consent_messages(procedure):
            found.setdefault(message, []).append(f"knowledge/procedures/{procedure.id}.yaml")
    for message in load_preparation_instructions().messages():
        found.setdefault(message, []).append(f"knowledge/{PREPARATION_FILE}")
    for message in form_messages():
        found.setdefault(message, []).append("documents/consent.py")
    return found


def document_messages() -> dict[str, list[str]]:
    """Every message, template ones first, each with where it comes from."""
    merged = template_messages()
    for message, sources in knowledge_messages().items():
        merged.setdefault(message, []).extend(sources)
    return merged


def catalogue_template() -> Catalog:
    catalogue = Catalog(project="painpath", domain="documents", fuzzy=False)
    for message, sources in document_messages().items():
        catalogue.add(message, auto_comments=sorted(set(sources)))
    return catalogue


def main(arguments: list[str]) -> int:
    if len(arguments) != 1:
        sys.stderr.write("usage: python -m painpath.documents.messages OUT.pot\n")
        return 2
    with Path(arguments[0]).open("wb") as out:
        write_po(out, catalogue_template(), width=100, omit_header=False)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
