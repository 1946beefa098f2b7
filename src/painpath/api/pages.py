"""Pages on the wire: the query parameters a list route is asked with, and the page it answers.

A list route takes ``page`` (from 1) and ``page_size``, and answers ``items`` with the count of
all matching ``total`` and the ``page`` and ``page_size`` it was asked for.
"""

from __future__ import annotations

from typing import Annotated, Any, Generic, TypeVar

from fastapi import Query
from pydantic import BaseModel

from painpath.domain.paging import MAX_PAGE_SIZE, Page

ItemT = TypeVar("ItemT", bound=BaseModel)

PageNumber = Annotated[int, Query(ge=1, description="Page number, from 1.")]


def page_size_query(items: str) -> Any:
    """The ``page_size`` parameter of a list of ``items`` ("Patients"): 1 to MAX_PAGE_SIZE."""
    return Query(ge=1, le=MAX_PAGE_SIZE, description=f"{items} per page.")


class PageOut(BaseModel, Generic[ItemT]):
    items: list[ItemT]
    total: int
    page: int
    page_size: int

    @classmethod
    def of(cls, page: Page[Any], items: list[ItemT]) -> PageOut[ItemT]:
        return cls(
            items=items, total=page.total, page=page.request.number, page_size=page.request.size
        )
