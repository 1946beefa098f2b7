"""The REST API: FastAPI routes over the services, with accounts, roles and the audit trail."""
