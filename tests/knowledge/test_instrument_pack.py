"""The instrument pack: a clinic's licensed ODI wording, checked when painpath starts, with each
problem named by file and field. The pack under tests/fixtures holds placeholder wording."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from painpath.api.app import create_app
from painpath.config import Settings
from painpath.knowledge_base.instrument_pack import (
    NO_PACK,
    InstrumentPackError,
    load_instrument_pack,
)
from painpath.store.database import Store

TEST_PACK = Path(__file__).resolve().parents[1] / "fixtures" / "instrument_pack"


def _odi(sections: int = 10, statements: int = 6) -> dict[str, Any]:
    return {
        "title": "Test questionnaire",
        "sections": [
            {
                "title": f"Section {n} (test wording)",
                "statements": [
                    f"Section {n} statement {k} (test wording)" for k in range(statements)
                ],
            }
            for n in range(1, sections + 1)
        ],
    }


def _pack(tmp_path: Path, files: dict[str, Any]) -> Path:
    for name, content in files.items():
        text = content if isinstance(content, str) else yaml.safe_dump(content)
        (tmp_path / name).write_text(text, encoding="utf-8")
    return tmp_path


def test_the_test_pack_loads_with_each_statement_in_score_order() -> None:
    pack = load_instrument_pack(TEST_PACK)
    assert set(pack.odi) == {"en", "hi"}
    english = pack.odi["en"]
    assert len(english.sections) == 10
    assert all(len(section.statements) == 6 for section in english.sections)
    assert english.sections[2].statements[1] == "Section 3 statement 2 (English test wording)"
    assert pack.odi_in("hi") is pack.odi["hi"]


def test_a_language_without_its_own_wording_falls_back_to_english(tmp_path: Path) -> None:
    pack = load_instrument_pack(TEST_PACK)
    assert pack.odi_in("te") is pack.odi["en"]
    only_hindi = load_instrument_pack(_pack(tmp_path, {"odi.hi.yaml": _odi()}))
    assert only_hindi.odi_in("te") is None
    assert only_hindi.odi_in("hi") is not None


def test_no_pack_means_no_odi_wording(tmp_path: Path) -> None:
    assert load_instrument_pack(None) is NO_PACK
    assert NO_PACK.odi_in("en") is None
    empty = load_instrument_pack(tmp_path)  # a folder without ODI files
    assert empty.odi_in("en") is None


def test_a_missing_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InstrumentPackError, match="does not exist"):
        load_instrument_pack(tmp_path / "nowhere")


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (_odi(sections=9), r"odi\.en\.yaml: sections: give exactly 10 sections, not 9"),
        (_odi(sections=11), r"odi\.en\.yaml: sections: give exactly 10 sections, not 11"),
        (
            _odi(statements=5),
            r"odi\.en\.yaml: sections\[0\]\.statements: give exactly 6 statements "
            r"\(scores 0 to 5\), not 5",
        ),
        (_odi(statements=7), r"sections\[0\]\.statements: give exactly 6 statements"),
        (
            {**_odi(), "sections": [{"title": "", "statements": ["a"] * 6}] * 10},
            r"sections\[0\]\.title: String should have at least 1 character",
        ),
        (
            {
                **_odi(),
                "sections": [{"title": "t", "statements": ["a", "", "b", "c", "d", "e"]}] * 10,
            },
            r"sections\[0\]\.statements\[1\]: String should have at least 1 character",
        ),
        ({**_odi(), "copyright": "x"}, r"copyright: is not a field of the pack"),
        ({"title": "no sections"}, r"odi\.en\.yaml: sections: is missing"),
        ("- a list\n- not a mapping\n", r"odi\.en\.yaml: must be a mapping with 'sections'"),
        ("sections: [unclosed\n", r"odi\.en\.yaml: not valid YAML"),
    ],
)
def test_each_wrong_shape_is_refused_naming_the_file_and_field(
    tmp_path: Path, content: Any, expected: str
) -> None:
    folder = _pack(tmp_path, {"odi.en.yaml": content})
    with pytest.raises(InstrumentPackError, match=expected):
        load_instrument_pack(folder)


def test_a_file_for_a_language_the_pages_do_not_speak_is_refused(tmp_path: Path) -> None:
    folder = _pack(tmp_path, {"odi.en.yaml": _odi(), "odi.fr.yaml": _odi()})
    with pytest.raises(InstrumentPackError, match=r"odi\.fr\.yaml: 'fr' is not a language"):
        load_instrument_pack(folder)


def test_painpath_does_not_start_with_a_broken_pack(store: Store, tmp_path: Path) -> None:
    folder = _pack(tmp_path, {"odi.en.yaml": _odi(statements=5)})
    settings = Settings(database_url=str(store.engine.url), instrument_pack=folder)
    with pytest.raises(InstrumentPackError, match="statements"):
        create_app(settings, store=store)
    fine = Settings(database_url=str(store.engine.url), instrument_pack=TEST_PACK)
    assert create_app(fine, store=store).state.instrument_pack.odi_in("en") is not None


def test_the_setting_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PAINPATH_INSTRUMENT_PACK", str(TEST_PACK))
    assert Settings().instrument_pack == TEST_PACK
    monkeypatch.delenv("PAINPATH_INSTRUMENT_PACK")
    assert Settings().instrument_pack is None
