"""Outcomes analytics over one clinic's stored records: responder rates, durability of relief,
opioid use before and after, and data completeness, as tidy Polars frames, with the tables,
plots and index that `painpath report outcomes` writes. Definitions: docs/OUTCOMES.md.

Every metric is a pure function over the frames ``loader.load_cohort`` builds, so it can be
checked against a cohort small enough to work out by hand.

``columnar_screen`` is the rules' cohort screen run over columns: the engine's facts in a frame
and the condition trees as Polars expressions (``rule_expressions``). It lives here, beside
Polars, because the clinical core (``painpath.rules``) does not import it.
"""
