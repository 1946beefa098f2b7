"""Helpers for the page tests: records made through the services, and a page's text."""

from __future__ import annotations

import re
from datetime import timedelta

from painpath.domain.accounts import Principal
from painpath.domain.days import clinic_today
from painpath.domain.vocabulary import ProcedureId
from painpath.services.procedure_details import PerformedNote, PlanDetails
from painpath.services.procedures import perform_procedure, plan_procedure
from painpath.store.database import Store


def text_of(html: str) -> str:
    """The text a reader sees: tags dropped, white space collapsed."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def performed(store: Store, by: Principal, patient_id: int, *, days_ago: int) -> int:
    """A therapeutic lumbar interlaminar ESI performed ``days_ago``; its id."""
    plan = PlanDetails(
        procedure=ProcedureId.ESI_INTERLAMINAR,
        region="lumbar",
        levels=("L4-L5",),
        purpose="therapeutic",
    )
    planned = plan_procedure(
        uow=store.unit_of_work(), principal=by, patient_id=patient_id, plan=plan
    )
    done = perform_procedure(
        uow=store.unit_of_work(),
        principal=by,
        patient_id=patient_id,
        procedure_id=planned.id,
        version=planned.version,
        note=PerformedNote(
            performed_on=clinic_today() - timedelta(days=days_ago),
            guidance="fluoroscopy",
            pre_nrs=8,
            post_nrs=2,
            complications=("none",),
        ),
    )
    return done.id
