"""`painpath report outcomes` against a real database (SQLite, and PostgreSQL when configured):
the tables in CSV and Parquet hold the same data, the plots are real PNG and SVG files, the
index lists them, an empty period says so, bad input exits 2 before anything is read, and the
report is audited as an export of patient data by the operating-system user."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from outcome_records import AS_OF, Seeded, seed_outcomes
from painpath import report_commands
from painpath.cli import app
from painpath.command_actor import command_actor
from painpath.domain.audit import AuditAction
from painpath.store.database import Store

runner = CliRunner()
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
TABLES = (
    "responder_rates",
    "responder_outcomes",
    "durability_medians",
    "durability_curves",
    "mme_summary",
    "mme_changes",
    "completeness",
    "follow_up_milestones",
)
PLOTS = ("responder_rates", "durability", "mme_before_after")


@pytest.fixture
def seeded(
    store: Store, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> tuple[Store, Seeded]:
    monkeypatch.setenv("PAINPATH_DATABASE_URL", database_url)
    monkeypatch.setattr(report_commands, "clinic_today", lambda: AS_OF)
    return store, seed_outcomes(store)


def _report(*arguments: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["report", "outcomes", *arguments])
    return result.exit_code, result.stdout, result.stderr


def _exports(store: Store) -> list[tuple[str, str, str]]:
    with store.unit_of_work() as uow:
        entries = uow.audit.entries(after=0, limit=100)
    return [(e.actor, e.action, e.resource) for e in entries if e.action == AuditAction.EXPORT]


def test_the_report_writes_every_table_twice_the_plots_and_an_index(
    seeded: tuple[Store, Seeded], tmp_path: Path
) -> None:
    store, _ = seeded
    out = tmp_path / "q1"
    code, stdout, stderr = _report(
        "--clinic", "north", "--from", "2026-01-01", "--to", "2026-06-30", "--out", str(out)
    )
    assert code == 0, stderr
    assert f"wrote {len(TABLES) * 2 + len(PLOTS) * 2 + 1} files to {out}" in stdout
    for name in TABLES:
        parquet = pl.read_parquet(out / f"{name}.parquet")
        csv = pl.read_csv(out / f"{name}.csv", schema=parquet.schema)
        assert csv.equals(parquet), name
    for name in PLOTS:
        assert (out / f"{name}.png").read_bytes().startswith(PNG_SIGNATURE)
        assert (out / f"{name}.svg").read_text(encoding="utf-8").startswith("<svg")
    index = (out / "index.md").read_text(encoding="utf-8")
    assert "# Outcomes report: North Spine Clinic (north)" in index
    assert "from 2026-01-01 to 2026-06-30" in index
    assert "3 performed procedures, 3 patients." in index
    for name in (*TABLES, *PLOTS):
        assert f"({name}." in index
    assert _exports(store) == [
        (command_actor(), "export", "reports/outcomes?from=2026-01-01&to=2026-06-30")
    ]


def test_the_tables_hold_the_clinics_numbers(seeded: tuple[Store, Seeded], tmp_path: Path) -> None:
    code, _, stderr = _report(
        "--clinic", "north", "--from", "2026-01-01", "--out", str(tmp_path), "--format", "csv"
    )
    assert code == 0, stderr
    assert not list(tmp_path.glob("*.parquet"))
    rates = pl.read_csv(tmp_path / "responder_rates.csv")
    relief = rates.filter((pl.col("grouping") == "all") & (pl.col("measure") == "relief_50"))
    assert relief.select("responders", "evaluable", "not_evaluable").row(0) == (2, 2, 1)
    operators = set(rates.filter(pl.col("grouping") == "operator")["group"].to_list())
    assert operators == {"Dr Ann Rao", "Dr Iyer", "not recorded"}
    mme = pl.read_csv(tmp_path / "mme_changes.csv")
    assert mme.select("mme_before", "mme_after").rows()[0] == (30.0, 15.0)


def test_an_empty_period_writes_headers_and_says_there_is_no_data(
    seeded: tuple[Store, Seeded], tmp_path: Path
) -> None:
    code, stdout, stderr = _report(
        "--clinic", "north", "--from", "2024-01-01", "--to", "2024-12-31", "--out", str(tmp_path)
    )
    assert code == 0, stderr
    assert "no data" in stdout
    rates = pl.read_csv(tmp_path / "responder_rates.csv")
    assert rates.is_empty()
    assert rates.columns[:3] == ["grouping", "group", "measure"]
    assert pl.read_parquet(tmp_path / "completeness.parquet").is_empty()
    assert not list(tmp_path.glob("*.png"))
    assert "No data" in (tmp_path / "index.md").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--from", "2026-13-01"], "--from: '2026-13-01' is not a date"),
        (["--to", "yesterday"], "--to: 'yesterday' is not a date"),
        (["--from", "2026-03-01", "--to", "2026-02-01"], "--to: 2026-02-01 is before --from"),
        (["--clinic", "west"], "--clinic: no clinic has the code 'west'"),
        (["--out", " "], "--out: give the folder"),
    ],
)
def test_bad_input_exits_2_naming_the_option_and_exports_nothing(
    seeded: tuple[Store, Seeded], tmp_path: Path, arguments: list[str], message: str
) -> None:
    store, _ = seeded
    defaults = {"--clinic": "north", "--out": str(tmp_path / "out")}
    given = dict(zip(arguments[::2], arguments[1::2], strict=True))
    options = [item for pair in {**defaults, **given}.items() for item in pair]
    code, stdout, stderr = _report(*options)
    assert code == 2
    assert message in stderr
    assert "Traceback" not in stdout + stderr
    assert _exports(store) == []
    assert not (tmp_path / "out" / "index.md").exists()


def test_an_out_path_that_is_a_file_exits_2(seeded: tuple[Store, Seeded], tmp_path: Path) -> None:
    taken = tmp_path / "report.txt"
    taken.write_text("keep me", encoding="utf-8")
    code, _, stderr = _report("--clinic", "north", "--out", str(taken))
    assert code == 2
    assert "is a file, not a folder" in stderr
    assert taken.read_text(encoding="utf-8") == "keep me"


def test_no_database_exits_2(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PAINPATH_DATABASE_URL", f"sqlite:///{tmp_path / 'missing.db'}")
    code, _, stderr = _report("--clinic", "north", "--out", str(tmp_path / "out"))
    assert code == 2
    assert "run 'painpath db upgrade' first" in stderr
    assert not (tmp_path / "missing.db").exists()
