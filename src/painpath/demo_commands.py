"""`painpath demo`: a demonstration clinic with synthetic patients, for trying painpath out.

It adds the clinic ``demo``, one user per role with a fresh random password (printed, and
reset on every run, since the previous ones were only ever shown once), and, the first time,
one patient per synthetic example case, named from a fixed list of made-up names. Two of them
get a course dated from today, so the dashboard and the charts have something to show: one has
a sacroiliac joint injection done six weeks ago (its six-week follow-up due), the other an
earlier visit and their planned epidural booked for today, arriving at 08:30. The clinic's
telephone number is a made-up one, +91 40 5555 0100. The patients and names are audited
with the operator as the actor; the course is recorded, and audited, as the demo physician's
work. Meant for a demonstration data folder (``make run`` uses ``var/demo``), never for a
clinic's own database.

``--patients N`` adds a synthetic cohort (``painpath.cohort``): N generated patients with whole
histories, to the demo clinic or the one named by ``--clinic`` (which then gets the cohort
alone), the same ones for the same ``--seed`` (patients already there are skipped).
Generated cohorts go only into a database without real patients (none outside the demo
clinic, apart from generated ones); ``--force`` overrides that.
"""

from __future__ import annotations

import secrets
from datetime import date, time, timedelta
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn
from rich.table import Table

from painpath.case_input import CaseInputError, load_case_file
from painpath.cohort.generator import generate_cohort
from painpath.cohort.loading import CohortLoad, load_cohort, real_patients
from painpath.command_actor import command_actor
from painpath.config import Settings
from painpath.domain.accounts import Role
from painpath.domain.audit import AuditAction
from painpath.domain.case import Assessment, OswestryAnswers
from painpath.domain.days import clinic_today
from painpath.domain.paging import PageRequest
from painpath.domain.procedure_life import Complication, Guidance
from painpath.domain.procedure_query import ProcedureQuery
from painpath.domain.records import (
    Dated,
    PatientDetails,
    PatientFilter,
    ProcedureStatus,
    RecordSection,
    VisitAssessment,
)
from painpath.domain.vocabulary import ProcedureId, Side
from painpath.services.accounts import (
    UserChanges,
    create_clinic,
    create_user,
    principal_for,
    update_user,
)
from painpath.services.audit import audit, event
from painpath.services.case_builder import import_case
from painpath.services.patients import patient_resource
from painpath.services.procedure_details import (
    Booking,
    FollowUpDetails,
    PerformedNote,
    PlanDetails,
)
from painpath.services.procedure_outcomes import add_follow_up
from painpath.services.procedures import (
    list_procedures,
    perform_procedure,
    plan_procedure,
    schedule_procedure,
)
from painpath.services.records import create_record
from painpath.store.database import Store, open_store

DEMO_CLINIC = "demo"
# A number in the form of a Hyderabad landline, made up for the demonstration: a patient's
# sheet shows where the clinic's own number goes.
DEMO_PHONE = "+91 40 5555 0100"
# When the patient booked for today is to arrive.
DEMO_ARRIVAL = time(8, 30)
DEMO_USERS = {role: f"demo-{role.value.replace('_', '-')}" for role in Role}
BAD_INPUT = 2
SERVED_AT = "http://127.0.0.1:8000/"
# Synthetic names for the example cases (by file name), fitting a clinic in Hyderabad and each
# case's sex and language. Made up: any likeness to a real patient is chance.
DEMO_NAMES: dict[str, tuple[str, str]] = {
    "cancer_pain_intrathecal": ("Venkata Ramana", "Goud"),
    "facet_pain_first_block": ("Sunita", "Agarwal"),
    "facet_pain_two_positive_blocks": ("Mohammed Irfan", "Siddiqui"),
    "failed_back_surgery": ("Rajesh", "Kulkarni"),
    "lumbar_radiculopathy": ("Srinivas", "Reddy"),
    "osteoporotic_fracture": ("Kamala", "Jain"),
    "red_flag_cauda_equina": ("Ayesha", "Khan"),
    "sacroiliac_pain": ("Lakshmi", "Naidu"),
}

out = Console()
err = Console(stderr=True)


def _clinic_id(store: Store) -> int:
    with store.unit_of_work() as uow:
        found = uow.clinics.find(DEMO_CLINIC)
    if found is not None:
        return found
    clinic = create_clinic(
        store.unit_of_work(),
        code=DEMO_CLINIC,
        name="painpath demo clinic",
        actor=command_actor(),
        phone=DEMO_PHONE,
    )
    return clinic.id


def _users(store: Store, clinic_id: int) -> dict[Role, str]:
    """Each demo user with a new password: created when missing, otherwise reset."""
    passwords = {role: secrets.token_urlsafe(12) for role in Role}
    with store.unit_of_work() as uow:
        existing = {role: uow.users.by_username(name) for role, name in DEMO_USERS.items()}
    admin = existing[Role.ADMIN]
    if admin is None:
        admin = create_user(
            store.unit_of_work(),
            by=None,
            actor=command_actor(),
            clinic_id=clinic_id,
            username=DEMO_USERS[Role.ADMIN],
            display_name="Demo admin",
            role=Role.ADMIN,
            password=passwords[Role.ADMIN],
        )
        existing[Role.ADMIN] = None  # just made with its password: nothing to reset
    by = principal_for(admin)
    for role, user in existing.items():
        if user is not None:
            update_user(
                store.unit_of_work(),
                by=by,
                user_id=user.id,
                changes=UserChanges(password=passwords[role], active=True),
            )
        elif role is not Role.ADMIN:
            create_user(
                store.unit_of_work(),
                by=by,
                clinic_id=clinic_id,
                username=DEMO_USERS[role],
                display_name=f"Demo {role.value.replace('_', ' ')}",
                role=role,
                password=passwords[role],
            )
    return passwords


def _patients(store: Store, clinic_id: int, cases: Path, today: date) -> dict[str, int]:
    """Import every example case as a patient, unless the demo clinic has patients already;
    the patients' ids by case file name."""
    with store.unit_of_work() as uow:
        page = uow.patients.page(
            clinic_id=clinic_id, filters=PatientFilter(), page=PageRequest(1, 1)
        )
    if page.total:
        return {}
    files = sorted(cases.glob("*.json"))
    imported = {}
    for number, case_file in enumerate(files, start=1):
        patient_id = import_case(
            uow=store.unit_of_work(),
            case=load_case_file(case_file, today),
            clinic_code=DEMO_CLINIC,
            mrn=f"DEMO-{number:03d}",
            as_of=today,
            actor=command_actor(),
        )
        if case_file.stem in DEMO_NAMES:
            _name(store, clinic_id, patient_id, DEMO_NAMES[case_file.stem])
        imported[case_file.stem] = patient_id
    return imported


def _name(store: Store, clinic_id: int, patient_id: int, names: tuple[str, str]) -> None:
    """Give an imported patient (the case format has no names) a given and a family name."""
    given, family = names
    with store.unit_of_work() as uow:
        current = uow.patients.find(clinic_id=clinic_id, patient_id=patient_id)
        if current is None:  # imported a moment ago in this process
            raise RuntimeError(f"demo patient {patient_id} is missing")
        details = PatientDetails.model_validate(
            {
                **current.profile.model_dump(exclude={"clinic_id"}),
                "given_name": given,
                "family_name": family,
            }
        )
        uow.patients.update(
            clinic_id=clinic_id, patient_id=patient_id, details=details, version=current.version
        )
        audit(
            uow,
            event(
                principal=None,
                actor=command_actor(),
                action=AuditAction.UPDATE,
                resource=patient_resource(patient_id),
                patient_id=patient_id,
                clinic_id=clinic_id,
            ),
        )
        uow.commit()


def _course(store: Store, imported: dict[str, int], today: date) -> None:
    """A recent course for two demo patients (see the module), as the demo physician."""
    with store.unit_of_work() as uow:
        user = uow.users.by_username(DEMO_USERS[Role.PHYSICIAN])
    if user is None:  # made by _users just before
        raise RuntimeError("the demo physician is missing")
    by = principal_for(user)
    si_joint = imported.get("sacroiliac_pain")
    if si_joint is not None:
        plan = plan_procedure(
            uow=store.unit_of_work(),
            principal=by,
            patient_id=si_joint,
            plan=PlanDetails(
                procedure=ProcedureId.SACROILIAC_JOINT_INJECTION,
                side=Side.RIGHT,
                purpose="therapeutic",
            ),
        )
        done = perform_procedure(
            uow=store.unit_of_work(),
            principal=by,
            patient_id=si_joint,
            procedure_id=plan.id,
            version=plan.version,
            note=PerformedNote(
                performed_on=today - timedelta(weeks=6),
                guidance=Guidance.FLUOROSCOPY,
                pre_nrs=7,
                post_nrs=2,
                complications=(Complication.NONE,),
            ),
        )
        add_follow_up(
            uow=store.unit_of_work(),
            principal=by,
            patient_id=si_joint,
            procedure_id=done.id,
            details=FollowUpDetails(followed_up_on=today - timedelta(weeks=4), nrs=3, odi_score=24),
        )
    radicular = imported.get("lumbar_radiculopathy")
    if radicular is not None:
        earlier = today - timedelta(weeks=10)
        create_record(
            store.unit_of_work(),
            by,
            section=RecordSection.ASSESSMENTS,
            patient_id=radicular,
            entry=Dated(
                earlier,
                VisitAssessment.of(
                    Assessment(assessed_on=earlier, nrs=8, odi=OswestryAnswers(score=58))
                ),
            ),
        )
        planned = list_procedures(
            uow=store.unit_of_work(),
            principal=by,
            patient_id=radicular,
            query=ProcedureQuery(status=ProcedureStatus.PLANNED),
        )
        for stored in planned.items[:1]:
            schedule_procedure(
                uow=store.unit_of_work(),
                principal=by,
                patient_id=radicular,
                procedure_id=stored.id,
                version=stored.version,
                booking=Booking(scheduled_on=today, arrive_at=DEMO_ARRIVAL),
            )


def _refuse(option: str, message: str) -> typer.Exit:
    err.print(f"painpath: {option}: {message}", markup=False)
    return typer.Exit(BAD_INPUT)


def _check_cohort_target(store: Store, *, clinic: str, force: bool) -> None:
    """Exit with status 2, before anything is written, when a cohort must not go in."""
    real = real_patients(store, demo_clinic=DEMO_CLINIC)
    if real and not force:
        raise _refuse(
            "--patients",
            f"this database holds {real} patients who are neither demo nor generated ones; "
            "synthetic cohorts go only into a demonstration database (add --force to write "
            "them anyway)",
        )
    if clinic != DEMO_CLINIC:
        with store.unit_of_work() as uow:
            if uow.clinics.find(clinic) is None:
                raise _refuse("--clinic", f"no clinic has the code {clinic!r}")


def _cohort(store: Store, *, clinic: str, patients: int, seed: int, today: date) -> int:
    """Generate and load the cohort with a progress bar; how many patients were added."""
    with store.unit_of_work() as uow:
        clinic_id = uow.clinics.find(clinic)
    if clinic_id is None:  # checked, or made by _clinic_id, just before
        raise RuntimeError(f"clinic {clinic!r} is missing")
    load = CohortLoad(clinic_id=clinic_id, seed=seed, patients=patients, actor=command_actor())
    columns = (*Progress.get_default_columns()[:1], BarColumn(), MofNCompleteColumn())
    with Progress(*columns, TimeElapsedColumn(), console=err, transient=True) as progress:
        task = progress.add_task("Synthetic patients", total=patients)
        return load_cohort(
            store,
            load,
            generate_cohort(seed=seed, patients=patients, today=today),
            progress=lambda done: progress.advance(task, done),
        )


def demo(
    cases: Annotated[
        Path, typer.Option("--cases", help="Folder of synthetic case files to import.")
    ] = Path("examples/cases"),
    patients: Annotated[
        int,
        typer.Option(
            "--patients", min=0, help="Also add this many generated patients with histories."
        ),
    ] = 0,
    seed: Annotated[
        int, typer.Option("--seed", min=0, help="The generated cohort's seed (same seed, same).")
    ] = 1,
    clinic: Annotated[
        str, typer.Option("--clinic", help="Clinic to add the generated patients to.")
    ] = DEMO_CLINIC,
    force: Annotated[
        bool,
        typer.Option("--force", help="Add generated patients even beside real patients."),
    ] = False,
) -> None:
    """Prepare the demo clinic: users with fresh passwords, and synthetic patients."""
    if not cases.is_dir():
        raise _refuse("--cases", f"{cases} is not a folder")
    if clinic != DEMO_CLINIC and not patients:
        raise _refuse("--clinic", "names where generated patients go: give --patients too")
    today = clinic_today()
    store = open_store(Settings())
    added = 0
    passwords: dict[Role, str] = {}
    imported: dict[str, int] = {}
    try:
        if patients:
            _check_cohort_target(store, clinic=clinic, force=force)
        # Another clinic gets the cohort alone: no demo clinic or users beside its own.
        if clinic == DEMO_CLINIC:
            clinic_id = _clinic_id(store)
            passwords = _users(store, clinic_id)
            imported = _patients(store, clinic_id, cases, today)
            _course(store, imported, today)
        if patients:
            added = _cohort(store, clinic=clinic, patients=patients, seed=seed, today=today)
    except CaseInputError as error:
        err.print(f"painpath: {error}", markup=False)
        raise typer.Exit(BAD_INPUT) from None
    finally:
        store.close()
    if patients:
        out.print(
            f"Added {added} generated patients (seed {seed}, MRN SYN{seed}-000001 onwards) to "
            f"clinic '{clinic}'"
            + (f"; {patients - added} were there already." if added < patients else "."),
            markup=False,
        )
    if clinic != DEMO_CLINIC:
        return
    table = Table(title=f"Demo clinic '{DEMO_CLINIC}': sign in with one of these")
    for column in ("username", "password", "role"):
        table.add_column(column)
    for role, name in DEMO_USERS.items():
        table.add_row(name, passwords[role], role.value)
    out.print(table)
    if imported:
        out.print(f"Imported {len(imported)} synthetic patients (MRN DEMO-001 onwards).")
    out.print(
        f"Start the server (painpath serve; make run does), then open {SERVED_AT} and sign in "
        f"as {DEMO_USERS[Role.PHYSICIAN]} (or {DEMO_USERS[Role.NURSE]}, "
        f"{DEMO_USERS[Role.FRONT_DESK]}, {DEMO_USERS[Role.ADMIN]}) with the password above. "
        f"The API's pages are at {SERVED_AT}docs.",
        markup=False,
    )
