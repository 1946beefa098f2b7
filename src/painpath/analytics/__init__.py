"""Outcomes analytics over one clinic's stored records: responder rates, durability of relief,
opioid use before and after, and data completeness, as tidy Polars frames, with the tables,
plots and index that `painpath report outcomes` writes. Definitions: docs/OUTCOMES.md.

Every metric is a pure function over the frames ``loader.load_cohort`` builds, so it can be
checked against a cohort small enough to work out by hand.
"""
