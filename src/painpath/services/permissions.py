"""What each role may do. The API declares one action per route; this table decides.

docs/API.md prints the same table, and a test checks that both agree and that every route
names an action from here, so a route cannot be added without a decision about who may use it.
"""

from __future__ import annotations

from enum import StrEnum

from painpath.domain.accounts import Role


class Action(StrEnum):
    PATIENT_READ = "patient.read"
    PATIENT_WRITE = "patient.write"
    RECORD_READ = "record.read"
    RECORD_WRITE = "record.write"
    PROCEDURE_READ = "procedure.read"
    PROCEDURE_PLAN = "procedure.plan"
    PROCEDURE_SCHEDULE = "procedure.schedule"
    PROCEDURE_PERFORM = "procedure.perform"
    RECOMMENDATION_READ = "recommendation.read"
    CASE_EXPORT = "case.export"
    CASE_IMPORT = "case.import"
    USER_MANAGE = "user.manage"
    CLINIC_MANAGE = "clinic.manage"
    AUDIT_READ = "audit.read"
    OWN_ACCOUNT = "own.account"
    SELF_REPORT_INVITE = "self_report.invite"
    OUTCOMES_READ = "outcomes.read"


DESCRIPTIONS: dict[Action, str] = {
    Action.PATIENT_READ: "find and read patients' identifying details",
    Action.PATIENT_WRITE: "register patients and correct their details",
    Action.RECORD_READ: "read clinical records (assessments, diagnoses, imaging, medications...)",
    Action.RECORD_WRITE: "add and correct clinical records",
    Action.PROCEDURE_READ: "read procedures and their life (planned to performed)",
    Action.PROCEDURE_PLAN: "plan a procedure, change its plan, cancel it",
    Action.PROCEDURE_SCHEDULE: "book a planned procedure on a date, or cancel the booking",
    Action.PROCEDURE_PERFORM: "record a procedure as performed, with its note and outcome",
    Action.RECOMMENDATION_READ: "see the engine's recommendations for a patient",
    Action.CASE_EXPORT: "export a patient's case file",
    Action.CASE_IMPORT: "import a case file as a new patient",
    Action.USER_MANAGE: "create users, change roles, deactivate accounts",
    Action.CLINIC_MANAGE: "change the clinic's settings (such as requiring TOTP for admins)",
    Action.AUDIT_READ: "read and export the audit trail",
    Action.OWN_ACCOUNT: "see one's own account, sign out, set up a second factor",
    Action.SELF_REPORT_INVITE: (
        "give a patient a one-time link to fill in their own questionnaires"
    ),
    Action.OUTCOMES_READ: "see the clinic's outcome statistics (aggregates, no patient names)",
}

_CLINICAL = frozenset(
    {
        Action.PATIENT_READ,
        Action.PATIENT_WRITE,
        Action.RECORD_READ,
        Action.RECORD_WRITE,
        Action.PROCEDURE_READ,
        Action.RECOMMENDATION_READ,
        Action.OWN_ACCOUNT,
    }
)

# Admins run the clinic's accounts and audit, not its clinical care: they see no records.
# Front desk registers patients and books procedures, and sees no clinical records either; it
# checks patients in, so it may hand them a self-report link (whose answers it cannot read).
# The clinic's outcome statistics are aggregates without names: clinicians and the admins who
# run the clinic see them; front desk, which sees nothing clinical, does not.
ROLE_ACTIONS: dict[Role, frozenset[Action]] = {
    Role.ADMIN: frozenset(
        {
            Action.USER_MANAGE,
            Action.CLINIC_MANAGE,
            Action.AUDIT_READ,
            Action.OUTCOMES_READ,
            Action.OWN_ACCOUNT,
        }
    ),
    Role.PHYSICIAN: _CLINICAL
    | {
        Action.PROCEDURE_PLAN,
        Action.PROCEDURE_SCHEDULE,
        Action.PROCEDURE_PERFORM,
        Action.CASE_EXPORT,
        Action.CASE_IMPORT,
        Action.SELF_REPORT_INVITE,
        Action.OUTCOMES_READ,
    },
    Role.NURSE: _CLINICAL
    | {Action.PROCEDURE_SCHEDULE, Action.SELF_REPORT_INVITE, Action.OUTCOMES_READ},
    Role.FRONT_DESK: frozenset(
        {
            Action.PATIENT_READ,
            Action.PATIENT_WRITE,
            Action.PROCEDURE_READ,
            Action.PROCEDURE_SCHEDULE,
            Action.SELF_REPORT_INVITE,
            Action.OWN_ACCOUNT,
        }
    ),
}


def permits(role: Role, action: Action) -> bool:
    return action in ROLE_ACTIONS[role]
