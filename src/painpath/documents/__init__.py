"""Printable documents (PDF): the procedure handout, the preparation sheet and their kin."""
