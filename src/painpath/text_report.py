"""The clinician-readable text form of an evaluation, rendered with Rich.

Everything shown is read off the evaluation and its trace; nothing is restated by hand.
"""

from __future__ import annotations

from collections.abc import Iterable

from rich.console import Console, Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from painpath.domain.vocabulary import Status
from painpath.rules.conditions import Check
from painpath.rules.result import Evaluation, Outcome, ProcedureRecommendation, RuleResult
from painpath.scoring.summary import AssessmentSummary

STATUS_STYLE = {
    Status.RECOMMENDED: "bold green",
    Status.CONDITIONAL: "bold yellow",
    Status.NOT_INDICATED: "dim",
    Status.CONTRAINDICATED: "bold red",
}
STATUS_LABEL = {
    Status.RECOMMENDED: "recommended",
    Status.CONDITIONAL: "conditional",
    Status.NOT_INDICATED: "not indicated",
    Status.CONTRAINDICATED: "contraindicated",
}
CRITERION_MARK = {Outcome.FIRED: "met", Outcome.PASSED: "not met", Outcome.UNKNOWN: "unknown"}


def render(
    console: Console, evaluation: Evaluation, summary: AssessmentSummary, *, trace: bool
) -> None:
    console.print(_header(evaluation))
    if evaluation.urgent_referral:
        console.print(_urgent(evaluation))
    console.print(_baseline(summary))
    console.print(_candidacy(evaluation))
    console.print(_overview(evaluation))
    for procedure in evaluation.procedures:
        console.print(_detail(procedure, trace=trace))
    if evaluation.missing:
        console.print(_missing(evaluation))
    console.print(
        Text(
            "painpath shows the basis for each status; the clinician decides.",
            style="italic",
        )
    )


def _header(evaluation: Evaluation) -> Text:
    return Text.assemble(
        ("painpath evaluation", "bold"),
        f"  case {evaluation.case_id or '(no id)'}  as of {evaluation.as_of.isoformat()}",
        f"  knowledge {evaluation.knowledge_version}",
    )


def _urgent(evaluation: Evaluation) -> Panel:
    lines = [
        f"{flag.title}: {flag.route} [{flag.urgency}] ({', '.join(flag.citations)})"
        for flag in evaluation.red_flags
        if flag.outcome is Outcome.FIRED
    ]
    return Panel("\n".join(lines), title="RED FLAGS: route to urgent evaluation", style="bold red")


def _baseline(summary: AssessmentSummary) -> Table:
    table = Table(title="Baseline", show_header=False, box=None)
    rows = [
        ("assessed on", summary.assessed_on and summary.assessed_on.isoformat()),
        ("NRS", summary.nrs),
        (
            "Oswestry (ODI)",
            f"{summary.odi_score:.0f}% ({summary.odi_band})"
            if summary.odi_score is not None
            else summary.odi_problem,
        ),
        ("RMDQ", summary.rmdq),
        ("PEG", f"{summary.peg:.1f}" if summary.peg is not None else None),
        (
            "STarT Back",
            f"{summary.start_back_risk} risk (total {summary.start_back_total}, "
            f"psychosocial {summary.start_back_psychosocial})"
            if summary.start_back_risk
            else None,
        ),
        ("opioids", _mme(summary)),
        (
            "steroid, last 12 months",
            f"{summary.steroid_12_months.prednisone_equivalent_mg:g} mg prednisone equivalent"
            + ("" if summary.steroid_12_months.complete else " (some doses unknown)")
            if summary.steroid_12_months
            else None,
        ),
    ]
    for label, value in rows:
        table.add_row(label, "not recorded" if value is None else str(value))
    return table


def _mme(summary: AssessmentSummary) -> str | None:
    if summary.mme is None:
        return None
    text = f"{summary.mme.total:g} MME/day"
    if summary.mme.not_converted:
        text += f" (not converted: {', '.join(summary.mme.not_converted)})"
    if summary.mme_flags:
        text += f" [{', '.join(summary.mme_flags)}]"
    return text


def _candidacy(evaluation: Evaluation) -> Table:
    table = Table(title="When to consider a procedure", show_header=True)
    table.add_column("criterion")
    table.add_column("")
    table.add_column("basis")
    for criterion in evaluation.candidacy:
        table.add_row(
            criterion.criterion.replace("_", " "),
            CRITERION_MARK[criterion.outcome],
            f"{criterion.summary} ({', '.join(criterion.citations)})",
        )
    return table


def _overview(evaluation: Evaluation) -> Table:
    table = Table(title="Procedures")
    table.add_column("procedure")
    table.add_column("status")
    table.add_column("main reason")
    table.add_column("earliest")
    for procedure in evaluation.procedures:
        main = procedure.reasons[0].reason if procedure.reasons else _basis(procedure)
        table.add_row(
            procedure.name,
            Text(STATUS_LABEL[procedure.status], style=STATUS_STYLE[procedure.status]),
            main,
            procedure.earliest.isoformat() if procedure.earliest else "",
        )
    return table


def _basis(procedure: ProcedureRecommendation) -> str:
    return f"{len(procedure.supporting)} criteria checked and met"


def _detail(procedure: ProcedureRecommendation, *, trace: bool) -> Panel:
    parts: list[RenderableType] = []
    # A procedure ruled out shows what rules it out; its outstanding steps would only distract.
    ruled_out = procedure.status in {Status.NOT_INDICATED, Status.CONTRAINDICATED} and not trace
    shown = [r for r in procedure.reasons if not ruled_out or r.status is procedure.status]
    for result in shown:
        parts.append(_reason_line(result, mark="x"))
        if trace:
            parts.extend(_checks(result.checks))
    if len(shown) < len(procedure.reasons):
        hidden = len(procedure.reasons) - len(shown)
        parts.append(Text(f"  ({hidden} further outstanding items; --trace shows all)", "dim"))
    for result in procedure.advice:
        parts.append(_reason_line(result, mark="i"))
    for action in () if ruled_out else procedure.actions:
        parts.append(Text(f"  -> {action}"))
    if procedure.status is Status.RECOMMENDED or trace:
        for result in procedure.supporting:
            parts.append(_reason_line(result, mark="ok"))
            if trace:
                parts.extend(_checks(result.checks))
    title = Text.assemble(
        (procedure.name, "bold"),
        f" ({procedure.procedure})  ",
        (STATUS_LABEL[procedure.status], STATUS_STYLE[procedure.status]),
    )
    return Panel(Group(*parts) if parts else Text("no rules"), title=title, title_align="left")


def _reason_line(result: RuleResult, *, mark: str) -> Text:
    caveat = " [source not confirmed]" if result.unconfirmed_source else ""
    status = f" ({result.status})" if result.status else ""
    return Text(
        f"[{mark}] {result.reason}{status} - {result.rule_id}; "
        f"{', '.join(result.citations)}{caveat}"
    )


def _checks(checks: Iterable[Check]) -> list[Text]:
    return [
        Text(
            f"      {check.fact} {check.operator} {_show(check.expected)}: saw {_show(check.seen)}"
            f" -> {_held(check.held)}",
            style="dim",
        )
        for check in checks
    ]


def _show(value: object) -> str:
    if value is None:
        return "unknown"
    if isinstance(value, frozenset | set):
        return "[" + ", ".join(sorted(map(str, value))) + "]"
    if isinstance(value, float):
        return f"{value:.1f}"
    return str(value)


def _held(held: bool | None) -> str:
    return {True: "holds", False: "does not hold", None: "unknown"}[held]


def _missing(evaluation: Evaluation) -> Panel:
    lines = [f"- {m.description} ({m.fact})" for m in evaluation.missing]
    return Panel("\n".join(lines), title="Missing data that would change the result")
