"""A citizen's answers and the rule that makes feedback *poor* (and opens a case)."""

from __future__ import annotations

from dataclasses import dataclass

POOR_RATING = 2
FREE_TEXT_LIMIT = 1000


class AnswerError(ValueError):
    """An answer out of range; the message names the field."""


@dataclass(frozen=True)
class Answers:
    rating: int | None = None
    work_done: bool | None = None
    bribe_asked: bool | None = None
    wants_officer: bool = False
    free_text: str = ""

    def __post_init__(self) -> None:
        if self.rating is not None and not 1 <= self.rating <= 5:
            raise AnswerError(f"rating must be 1 to 5, not {self.rating}")
        if len(self.free_text) > FREE_TEXT_LIMIT:
            raise AnswerError(f"free text is limited to {FREE_TEXT_LIMIT} characters")

    @property
    def empty(self) -> bool:
        return self.rating is None and self.work_done is None and self.bribe_asked is None

    def poor_reasons(self) -> list[str]:
        """Why this feedback is poor: rating ≤ 2, work not done, money asked (any one)."""
        reasons = []
        if self.rating is not None and self.rating <= POOR_RATING:
            reasons.append("low_rating")
        if self.work_done is False:
            reasons.append("work_not_done")
        if self.bribe_asked is True:
            reasons.append("money_asked")
        return reasons


def yes_no(digit: str | None) -> bool | None:
    """IVR/SMS codes: ``1`` yes, ``2`` no; anything else is no answer."""
    return {"1": True, "2": False}.get((digit or "").strip())


def rating_of(value: str | None) -> int | None:
    text = (value or "").strip()
    return int(text) if text in {"1", "2", "3", "4", "5"} else None
