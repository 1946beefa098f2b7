"""The rule engine: a case and a date in, an explained status for every procedure out."""
