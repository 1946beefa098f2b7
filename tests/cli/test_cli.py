"""The command line as a user meets it: outputs, exit codes, and errors that name the field."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from painpath.cli import app

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "cases" / "lumbar_radiculopathy.json"
runner = CliRunner()


def _run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_evaluate_json_gives_a_cited_traced_status_for_all_fifteen_procedures() -> None:
    code, stdout, _ = _run("evaluate", str(EXAMPLE), "--as-of", "2026-11-25", "--format", "json")
    assert code == 0
    report = json.loads(stdout)
    procedures = report["evaluation"]["procedures"]
    assert len(procedures) == 15
    by_id = {p["procedure"]: p for p in procedures}
    assert by_id["esi_transforaminal"]["status"] == "recommended"
    assert by_id["medial_branch_block"]["status"] == "not_indicated"
    for procedure in procedures:
        for reason in procedure["reasons"]:
            assert reason["rule_id"]
            assert reason["citations"]
            assert reason["checks"], f"{reason['rule_id']} has no trace"
        if procedure["status"] == "recommended":
            assert procedure["supporting"], "a recommendation shows the rules it met"
    assert report["baseline"]["odi_band"] == "severe"
    assert report["baseline"]["mme"]["total"] == 30


def test_evaluate_text_is_readable_and_says_the_clinician_decides() -> None:
    code, stdout, _ = _run("evaluate", str(EXAMPLE), "--as-of", "2026-11-25")
    assert code == 0
    assert "Transforaminal epidural steroid injection" in stdout
    assert "recommended" in stdout
    assert "lcd_l39240" in stdout
    assert "the clinician decides" in stdout


@pytest.mark.parametrize(
    ("mutation", "field"),
    [
        ({"assessment": {"assessed_on": "2026-11-20", "nrs": 11}}, "assessment.nrs"),
        ({"surprise": True}, "surprise"),
        ({"pain": {"onset_date": "2027-01-01"}}, "pain.onset_date"),
        ({"diagnoses": [{"code": "M51.1"}]}, "diagnoses[0].code"),
        ({"patient": {"age": 40, "sex": "male", "pregnant": True}}, "pregnant"),
    ],
)
def test_bad_case_exits_2_naming_the_field(
    tmp_path: Path, mutation: dict[str, object], field: str
) -> None:
    case = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    case.update(mutation)
    path = tmp_path / "case.json"
    path.write_text(json.dumps(case), encoding="utf-8")
    code, stdout, stderr = _run("evaluate", str(path), "--as-of", "2026-11-25")
    assert code == 2
    assert field in stderr
    assert "Traceback" not in stderr + stdout


def test_malformed_json_and_missing_file_exit_2(tmp_path: Path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text('{"format_version": ', encoding="utf-8")
    code, _, stderr = _run("evaluate", str(broken))
    assert code == 2
    assert "not valid JSON at line 1" in stderr
    code, _, stderr = _run("evaluate", str(tmp_path / "absent.json"))
    assert code == 2
    assert "no such file" in stderr


def test_bad_as_of_exits_2() -> None:
    code, _, stderr = _run("evaluate", str(EXAMPLE), "--as-of", "25/11/2026")
    assert code == 2
    assert "--as-of" in stderr


def test_procedures_lists_all_fifteen_and_shows_one_with_its_rules() -> None:
    code, stdout, _ = _run("procedures", "--format", "json")
    assert code == 0
    assert len(json.loads(stdout)) == 15
    code, stdout, _ = _run("procedures", "radiofrequency_ablation", "--format", "json")
    assert code == 0
    shown = json.loads(stdout)
    assert "64635" in shown["cpt"]
    assert "facet.ablation_needs_two_blocks" in {rule["id"] for rule in shown["rules"]}
    code, _, stderr = _run("procedures", "acupuncture")
    assert code == 2
    assert "not a procedure id" in stderr


def test_schema_case_is_the_json_schema_of_the_case_format() -> None:
    code, stdout, _ = _run("schema", "case")
    assert code == 0
    schema = json.loads(stdout)
    assert schema["title"] == "Case"
    assert set(schema["required"]) == {"format_version", "patient", "pain"}


def test_score_odi_with_one_missing_section_and_refusal_with_two() -> None:
    code, stdout, _ = _run("score", "odi", "3", "2", "2", "3", "2", "3", "1", "2", "2", "-")
    assert code == 0
    result = json.loads(stdout)
    assert result["score"] == pytest.approx(20 / 45 * 100)
    assert result["band"] == "severe"
    code, _, stderr = _run("score", "odi", "3", "2", "2", "3", "2", "3", "1", "2", "-", "-")
    assert code == 2
    assert "unanswered" in stderr
    code, _, stderr = _run("score", "odi", "3", "2", "2", "3", "2", "3", "1", "2", "7", "1")
    assert code == 2
    assert "section 9" in stderr


def test_score_peg_start_back_and_relief() -> None:
    assert json.loads(_run("score", "peg", "7", "6", "5")[1]) == {"peg": 6.0}
    code, _, stderr = _run("score", "peg", "11", "6", "5")
    assert code == 2
    assert "pain" in stderr
    result = json.loads(
        _run("score", "start-back", *["y", "y", "n", "y", "y", "y", "y", "y", "n"])[1]
    )
    assert result["risk"] == "high"
    relief = json.loads(_run("score", "relief", "8", "3")[1])
    assert relief["percent_relief"] == pytest.approx(62.5)
    assert relief["is_responder"] is True
    assert relief["responder"]["thresholds_met"]
    assert relief["immpact"] == "substantial"


def test_mme_fentanyl_worked_example_and_case_total() -> None:
    code, stdout, _ = _run(
        "mme",
        "fentanyl",
        "--dose",
        "75",
        "--unit",
        "mcg/h",
        "--route",
        "transdermal",
        "--interval-hours",
        "72",
    )
    assert code == 0
    assert json.loads(stdout)["total"] == 180
    code, stdout, _ = _run("mme", "--case", str(EXAMPLE))
    assert code == 0
    assert json.loads(stdout)["total"] == 30  # tramadol 50 mg three times a day x 0.2
    code, _, stderr = _run("mme")
    assert code == 2
    code, _, stderr = _run("mme", "oxycodone", "--dose", "-5")
    assert code == 2
    assert "dose" in stderr


def test_docs_rules_prints_the_generated_document() -> None:
    code, stdout, _ = _run("docs", "rules")
    assert code == 0
    assert stdout.startswith("# Rules")
