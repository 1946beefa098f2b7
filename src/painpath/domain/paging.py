"""Pages of a longer list: which page is asked for, and the page with the count of all."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

ItemT = TypeVar("ItemT")

MAX_PAGE_SIZE = 100


@dataclass(frozen=True)
class PageRequest:
    """Page ``number`` (from 1) of pages of ``size`` items (at most ``MAX_PAGE_SIZE``)."""

    number: int = 1
    size: int = 20

    def __post_init__(self) -> None:
        if self.number < 1:
            raise ValueError(f"page {self.number}: pages are numbered from 1")
        if not 1 <= self.size <= MAX_PAGE_SIZE:
            raise ValueError(f"page size {self.size}: give 1 to {MAX_PAGE_SIZE}")

    @property
    def offset(self) -> int:
        return (self.number - 1) * self.size


@dataclass(frozen=True)
class Page(Generic[ItemT]):
    """The items on one page, and how many items match in all."""

    items: tuple[ItemT, ...]
    total: int
    request: PageRequest
