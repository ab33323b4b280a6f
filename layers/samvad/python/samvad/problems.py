"""Why an input was refused: a stable code for counting and a sentence for people."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Problem:
    code: str
    message: str

    def with_detail(self, detail: str) -> Problem:
        return Problem(self.code, f"{self.message}: {detail}")
