"""The painpath command line. Bad input exits 2 with a message naming the field; no tracebacks."""

from __future__ import annotations

import json
import sys
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.table import Table

from painpath.admin_commands import clinics_app, users_app
from painpath.case_commands import case_app
from painpath.case_input import CaseInputError, describe_errors, load_case_file
from painpath.demo_commands import demo
from painpath.documents_commands import documents_app
from painpath.domain.case import Case, Medication, PegAnswers
from painpath.domain.days import clinic_today
from painpath.domain.vocabulary import DoseUnit, ProcedureId, Route
from painpath.fhir_commands import fhir_app
from painpath.knowledge_base.loader import KnowledgeBaseError, load_procedures
from painpath.ops_commands import audit_app, backup, db_app, restore, serve
from painpath.reminder_commands import reminders_app
from painpath.report_commands import report_app
from painpath.rules.documentation import render_rules_markdown
from painpath.rules.engine import evaluate as evaluate_case
from painpath.rules.loader import load_rule_book
from painpath.rules.serialise import to_jsonable
from painpath.scoring import (
    Instrument,
    NotScorable,
    check_rmdq,
    immpact_category,
    percent_relief,
    responder_result,
    score_oswestry,
    score_peg,
    score_start_back,
    total_mme_per_day,
)
from painpath.scoring.mme import mme_threshold_flags
from painpath.scoring.summary import assessment_summary
from painpath.services.cases import evaluation_report
from painpath.text_report import render

BAD_INPUT = 2

app = typer.Typer(
    name="painpath",
    help="Decision support for interventional treatment of chronic back pain.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
schema_app = typer.Typer(help="Print JSON Schemas of painpath's formats.", no_args_is_help=True)
score_app = typer.Typer(help="Score outcome instruments.", no_args_is_help=True)
docs_app = typer.Typer(help="Generate documentation from the knowledge base.", no_args_is_help=True)
app.add_typer(schema_app, name="schema")
app.add_typer(score_app, name="score")
app.add_typer(docs_app, name="docs")
app.add_typer(case_app, name="case")
app.add_typer(clinics_app, name="clinics")
app.add_typer(users_app, name="users")
app.add_typer(db_app, name="db")
app.add_typer(audit_app, name="audit")
app.add_typer(reminders_app, name="reminders")
app.add_typer(report_app, name="report")
app.add_typer(fhir_app, name="fhir")
app.add_typer(documents_app, name="documents")

out = Console(soft_wrap=False, width=120)
err = Console(stderr=True, soft_wrap=True)


class OutputFormat(StrEnum):
    JSON = "json"
    TEXT = "text"


def fail(message: str) -> NoReturn:
    err.print(f"painpath: {message}", markup=False, highlight=False)
    raise typer.Exit(BAD_INPUT)


def today() -> date:
    return clinic_today()


def parse_day(value: str, option: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        fail(f"{option}: {value!r} is not a date in the form YYYY-MM-DD")


def print_json(value: object) -> None:
    sys.stdout.write(json.dumps(value, indent=2, ensure_ascii=False) + "\n")


@app.command()
def evaluate(
    case_file: Annotated[Path, typer.Argument(help="The case as JSON (docs/CASE-FORMAT.md).")],
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Assessment date, YYYY-MM-DD; default today.")
    ] = None,
    output: Annotated[OutputFormat, typer.Option("--format", help="json or text.")] = (
        OutputFormat.TEXT
    ),
    trace: Annotated[bool, typer.Option(help="Show every fact checked (text format).")] = False,
) -> None:
    """Evaluate a case: one explained, cited status for each procedure."""
    day = parse_day(as_of, "--as-of") if as_of else today()
    try:
        case = load_case_file(case_file, day)
    except CaseInputError as error:
        fail(str(error))
    evaluation = evaluate_case(case, day)
    summary = assessment_summary(case, day)
    if output is OutputFormat.JSON:
        print_json(evaluation_report(evaluation, summary))
    else:
        render(out, evaluation, summary, trace=trace)


@app.command()
def procedures(
    procedure: Annotated[str | None, typer.Argument(help="A procedure id to show in full.")] = None,
    output: Annotated[OutputFormat, typer.Option("--format")] = OutputFormat.TEXT,
) -> None:
    """List the procedures in the knowledge base, or show one with its rules."""
    catalogue = load_procedures()
    if procedure is None:
        if output is OutputFormat.JSON:
            print_json([p.model_dump(mode="json") for p in catalogue.values()])
            return
        table = Table(title="Procedures")
        for column in ("id", "family", "name", "bleeding risk", "CPT"):
            table.add_column(column)
        for item in catalogue.values():
            table.add_row(item.id, item.family, item.name, item.bleeding_risk, ", ".join(item.cpt))
        out.print(table)
        return
    if procedure not in set(ProcedureId):
        fail(f"procedure: {procedure!r} is not a procedure id ({', '.join(ProcedureId)})")
    item = catalogue[ProcedureId(procedure)]
    rules = [c.rule for c in load_rule_book().rules_for(ProcedureId(procedure))]
    if output is OutputFormat.JSON:
        print_json(
            {
                **item.model_dump(mode="json"),
                "rules": [{"id": r.id, "title": r.title} for r in rules],
            }
        )
        return
    out.print(f"[bold]{item.name}[/bold] ({item.id}, family {item.family})")
    out.print(f"Purpose: {item.purpose}", markup=False)
    out.print(f"How it is done: {item.how_it_is_done}", markup=False)
    out.print(
        "Used for: " + "; ".join(f"{u.condition} ({', '.join(u.icd10cm)})" for u in item.uses),
        markup=False,
    )
    out.print("Expected benefits: " + " ".join(item.expected_benefits), markup=False)
    out.print("Common risks: " + " ".join(item.risks.common), markup=False)
    out.print("Serious risks: " + " ".join(item.risks.serious), markup=False)
    out.print(f"ASRA bleeding risk: {item.bleeding_risk}; CPT: {', '.join(item.cpt)}", markup=False)
    out.print("Guidance: " + " ".join(item.guidance), markup=False)
    out.print("Citations: " + ", ".join(item.citations), markup=False)
    out.print("Rules: " + ", ".join(f"{r.id}" for r in rules), markup=False)


@schema_app.command("case")
def schema_case() -> None:
    """Print the JSON Schema of the case format."""
    print_json(Case.model_json_schema())


@score_app.command("odi")
def score_odi(
    sections: Annotated[
        list[str], typer.Argument(help="The ten section answers 0-5; '-' for unanswered.")
    ],
) -> None:
    """Oswestry Disability Index from its ten section answers."""
    if len(sections) != 10:
        fail(f"sections: give 10 answers, got {len(sections)}")
    answers: list[int | None] = []
    for index, answer in enumerate(sections, start=1):
        if answer == "-":
            answers.append(None)
        elif answer.isdigit() and 0 <= int(answer) <= 5:
            answers.append(int(answer))
        else:
            fail(f"section {index}: {answer!r} is not 0-5 or '-'")
    try:
        result = score_oswestry(answers)
    except NotScorable as error:
        fail(f"sections: {error}")
    print_json(to_jsonable(result))


@score_app.command("peg")
def peg(pain: int, enjoyment: int, general_activity: int) -> None:
    """PEG: mean of pain, enjoyment of life and general activity (each 0-10)."""
    try:
        answers = PegAnswers(pain=pain, enjoyment=enjoyment, general_activity=general_activity)
    except ValidationError as error:
        fail("; ".join(describe_errors(error)))
    print_json({"peg": score_peg(answers)})


@score_app.command("start-back")
def start_back(
    items: Annotated[
        list[str], typer.Argument(help="Nine answers: y/n (item 9: y if very much or extremely).")
    ],
) -> None:
    """STarT Back Screening Tool: total, psychosocial subscale and risk group."""
    if len(items) != 9:
        fail(f"items: give 9 answers, got {len(items)}")
    answers = []
    for index, item in enumerate(items, start=1):
        if item.lower() not in {"y", "n", "yes", "no", "1", "0"}:
            fail(f"item {index}: {item!r} is not y or n")
        answers.append(item.lower() in {"y", "yes", "1"})
    print_json(to_jsonable(score_start_back(answers)))


@score_app.command("rmdq")
def rmdq(score: int) -> None:
    """Check a Roland-Morris Disability Questionnaire score (0-24)."""
    try:
        print_json({"rmdq": check_rmdq(score)})
    except ValueError as error:
        fail(f"score: {error}")


@score_app.command("relief")
def relief(
    baseline: float,
    follow_up: float,
    instrument: Annotated[Instrument, typer.Option(help="The named scale of both scores.")] = (
        Instrument.NRS
    ),
) -> None:
    """Percent relief and responder status between two scores on the same scale."""
    try:
        result = responder_result(instrument, baseline, follow_up)
        percent = percent_relief(baseline, follow_up)
    except ValueError as error:
        fail(str(error))
    report = {
        "percent_relief": percent,
        "is_responder": result.responder,
        "responder": to_jsonable(result),
    }
    if instrument is Instrument.NRS:
        report["immpact"] = immpact_category(percent).value
    print_json(report)


@app.command()
def mme(
    name: Annotated[str | None, typer.Argument(help="Opioid generic name.")] = None,
    *,
    dose: Annotated[
        float | None, typer.Option(help="Strength per unit (mg, or mcg/h for patches).")
    ] = None,
    unit: Annotated[DoseUnit | None, typer.Option(help="mg, mcg or mcg/h.")] = None,
    route: Annotated[Route | None, typer.Option(help="oral, transdermal, ...")] = None,
    units_per_dose: Annotated[float, typer.Option(help="Tablets or patches per dose.")] = 1,
    doses_per_day: Annotated[float | None, typer.Option(help="Doses a day.")] = None,
    interval_hours: Annotated[float | None, typer.Option(help="Hours each patch is worn.")] = None,
    case_file: Annotated[
        Path | None, typer.Option("--case", help="Total for a case's medications.")
    ] = None,
) -> None:
    """Morphine milligram equivalents per day (CDC 2022 factors)."""
    if (name is None) == (case_file is None):
        fail("give an opioid name with its dose, or --case FILE")
    if case_file is not None:
        try:
            medications = load_case_file(case_file, today()).medications or ()
        except CaseInputError as error:
            fail(str(error))
    else:
        try:
            medications = (
                Medication(
                    name=name or "",
                    dose=dose,
                    unit=unit,
                    route=route,
                    units_per_dose=units_per_dose,
                    doses_per_day=doses_per_day,
                    interval_hours=interval_hours,
                ),
            )
        except ValidationError as error:
            fail("; ".join(describe_errors(error)))
    total = total_mme_per_day(medications)
    print_json({**to_jsonable(total), "flags": mme_threshold_flags(total)})


@docs_app.command("api")
def docs_api(
    into: Annotated[
        Path | None, typer.Option("--into", help="Rewrite the tables in this file (docs/API.md).")
    ] = None,
) -> None:
    """Print the roles-and-actions and route tables that docs/API.md carries."""
    from painpath.api.app import describe_app
    from painpath.api.documentation import render_access_tables, splice

    tables = render_access_tables(describe_app())
    if into is None:
        sys.stdout.write(tables)
        return
    into.write_text(splice(into.read_text(encoding="utf-8"), tables), encoding="utf-8")


@docs_app.command("rules")
def docs_rules() -> None:
    """Print docs/RULES.md, generated from the rule files."""
    sys.stdout.write(render_rules_markdown())


# Operations commands come last in the help, after the clinical ones.
app.command("serve")(serve)
app.command("backup")(backup)
app.command("restore")(restore)
app.command("demo")(demo)


def main() -> None:
    try:
        app()
    except KnowledgeBaseError as error:
        err.print(f"painpath: the knowledge base is invalid: {error}", markup=False)
        sys.exit(1)
