"""A clinic's instrument pack: the licensed wording of questionnaires painpath only scores.

The Oswestry Disability Index's wording is copyrighted (Mapi Research Trust), so painpath ships
its scoring but not its text. A clinic that holds a licence puts the wording it was given in a
folder and names the folder in ``PAINPATH_INSTRUMENT_PACK``; the patient's self-report then
shows the questionnaire. The folder holds one file per language, ``odi.<language>.yaml``
(``odi.en.yaml``, ``odi.hi.yaml``, ``odi.te.yaml``)::

    title: Oswestry Disability Index            # optional, shown as the heading
    instructions: Please answer every section... # optional, shown above the sections
    source: ODI v2.1a, licensed to ...           # optional, shown small under the sections
    sections:                                    # exactly ten, in the published order
      - title: Pain intensity
        statements:                              # exactly six: the first scores 0, the last 5
          - ...

A file that does not match is refused when painpath starts, naming the file and the field.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Final

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from painpath.domain.records import Language

ODI_SECTIONS: Final = 10
ODI_STATEMENTS: Final = 6  # scored 0 to 5, in order
PACK_LANGUAGES: Final[tuple[Language, ...]] = ("en", "hi", "te")
FALLBACK_LANGUAGE: Final[Language] = "en"
ODI_PREFIX: Final = "odi."
Statement = Annotated[str, Field(min_length=1, max_length=1000)]


class InstrumentPackError(ValueError):
    """The pack's folder or one of its files is not what painpath can show."""


class _PackModel(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


class OdiSection(_PackModel):
    """One section: its title, and its six statements in score order (0 to 5)."""

    title: str = Field(min_length=1, max_length=200)
    statements: tuple[Statement, ...] = Field(
        min_length=ODI_STATEMENTS,
        max_length=ODI_STATEMENTS,
        description="Exactly six statements; the first scores 0 and the last 5.",
    )


class OdiText(_PackModel):
    """The wording of the Oswestry Disability Index in one language."""

    title: str | None = Field(default=None, min_length=1, max_length=200)
    instructions: str | None = Field(default=None, min_length=1, max_length=4000)
    source: str | None = Field(default=None, min_length=1, max_length=500)
    sections: tuple[OdiSection, ...] = Field(min_length=ODI_SECTIONS, max_length=ODI_SECTIONS)


@dataclass(frozen=True)
class InstrumentPack:
    """The wording a clinic has installed, by language."""

    folder: Path | None
    odi: Mapping[Language, OdiText]

    def odi_in(self, language: Language) -> OdiText | None:
        """The ODI in ``language``, else in English, else None (the pack has no ODI)."""
        return self.odi.get(language) or self.odi.get(FALLBACK_LANGUAGE)


NO_PACK: Final = InstrumentPack(folder=None, odi={})


def _where(location: tuple[int | str, ...]) -> str:
    where = ""
    for part in location:
        where += f"[{part}]" if isinstance(part, int) else (f".{part}" if where else str(part))
    return where or "(the file)"


def _plain(problem: Mapping[str, Any]) -> str:
    kind = problem.get("type")
    context = problem.get("ctx") or {}
    if kind in {"too_short", "too_long"} and problem.get("loc", ("",))[-1] == "statements":
        found = context.get("actual_length")
        return f"give exactly {ODI_STATEMENTS} statements (scores 0 to 5), not {found}"
    if kind in {"too_short", "too_long"} and problem.get("loc", ("",))[-1] == "sections":
        found = context.get("actual_length")
        return f"give exactly {ODI_SECTIONS} sections, not {found}"
    if kind == "extra_forbidden":
        return "is not a field of the pack (title, instructions, source, sections)"
    if kind == "missing":
        return "is missing"
    return str(problem.get("msg", "is not valid"))


def _language_of(path: Path) -> Language:
    code = path.name.removeprefix(ODI_PREFIX).removesuffix(".yaml")
    for language in PACK_LANGUAGES:
        if code == language:
            return language
    raise InstrumentPackError(
        f"{path.name}: {code!r} is not a language painpath's patient pages speak "
        f"(name the file odi.<language>.yaml with one of: {', '.join(PACK_LANGUAGES)})"
    )


def read_odi(path: Path) -> OdiText:
    """One ``odi.<language>.yaml``, validated; InstrumentPackError naming what is wrong."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        raise InstrumentPackError(f"{path.name}: cannot be read: {error}") from error
    except yaml.YAMLError as error:
        raise InstrumentPackError(f"{path.name}: not valid YAML: {error}") from error
    if not isinstance(raw, dict):
        raise InstrumentPackError(
            f"{path.name}: must be a mapping with 'sections' (and optionally 'title', "
            "'instructions', 'source')"
        )
    try:
        return OdiText.model_validate(raw)
    except ValidationError as invalid:
        problems = "; ".join(
            f"{_where(tuple(problem['loc']))}: {_plain(problem)}" for problem in invalid.errors()
        )
        raise InstrumentPackError(f"{path.name}: {problems}") from None


def load_instrument_pack(folder: Path | None) -> InstrumentPack:
    """The pack in ``folder`` (``NO_PACK`` when None); InstrumentPackError when the folder is
    missing or a file in it is wrong. A folder without ODI files is a pack without the ODI."""
    if folder is None:
        return NO_PACK
    if not folder.is_dir():
        raise InstrumentPackError(f"{folder}: the instrument pack folder does not exist")
    odi: dict[Language, OdiText] = {}
    for path in sorted(folder.glob(f"{ODI_PREFIX}*.yaml")):
        odi[_language_of(path)] = read_odi(path)
    return InstrumentPack(folder=folder, odi=odi)
