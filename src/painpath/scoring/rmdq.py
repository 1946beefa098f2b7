"""Roland-Morris Disability Questionnaire (Roland & Morris, Spine 1983): 24 items, score 0-24."""

from __future__ import annotations

from painpath.knowledge_base.instruments import instrument_definition


def check_rmdq(score: int) -> int:
    """The score, if it is a whole number within the RMDQ range (0-24); else ValueError."""
    definition = instrument_definition("rmdq")
    if isinstance(score, bool) or not isinstance(score, int):
        raise ValueError(f"RMDQ score is {score!r}; it is a whole number of items")
    if not definition.minimum <= score <= definition.maximum:
        raise ValueError(
            f"RMDQ score is {score}; it runs from {definition.minimum:g} to {definition.maximum:g}"
        )
    return score
