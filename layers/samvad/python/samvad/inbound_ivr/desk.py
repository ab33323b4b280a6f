"""The inbound IVR's ``GrievanceDesk`` over the grievance domain (``samvad.grievances``).

Registration: a ``Submission`` on channel ``ivr`` whose ``source_id`` is the Connect contact
id, so the grievance domain's idempotency makes one case of a replayed contact.

Status: the caller keys the reference's six characters, each letter by its phone key. Keys
are ambiguous (7 is P, Q, R or 7), so the keyed digits expand to every reference of the
grievance alphabet that gives them (``candidates``, about a thousand); ``ReferenceIndex``
keeps those that exist (one batched read), and the grievance domain's own ``status`` checks
the caller's number and its rate limit on each: only the caller's own grievance is told.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable
from typing import Protocol

from samvad.grievances import GrievancePorts, Registration, StatusView, register, status
from samvad.grievances.references import ALPHABET, LENGTH, PREFIX
from samvad.grievances.texts import status_words, words
from samvad.inbound_ivr.prompts import KEYPAD, phrase, spelled
from samvad.inbound_ivr.service import IvrGrievance, Told

BY_KEY: dict[str, str] = {
    key: "".join(ch for ch in ALPHABET if KEYPAD[ch] == key) for key in set(KEYPAD.values())
}
"""Each phone key and the reference characters printed on it."""


class ReferenceIndex(Protocol):
    def existing(self, references: list[str]) -> list[str]:
        """Those of ``references`` that are registered."""
        ...


class StoreIndex:
    """``ReferenceIndex`` by reading each candidate from the grievance store (tests, local)."""

    def __init__(self, ports: GrievancePorts) -> None:
        self._store = ports.store

    def existing(self, references: list[str]) -> list[str]:
        return [r for r in references if self._store.get(f"ref#{r}") is not None]


def candidates(keyed: str) -> list[str]:
    """Every reference whose six characters are keyed as ``keyed``."""
    if len(keyed) != LENGTH or any(not BY_KEY.get(key) for key in keyed):
        return []
    return [
        f"{PREFIX}-{''.join(chars)}" for chars in itertools.product(*(BY_KEY[k] for k in keyed))
    ]


class DomainDesk:
    def __init__(
        self,
        ports: GrievancePorts,
        index: ReferenceIndex | None = None,
        source: str = "ivr",
        clock: Callable[[], dt.datetime] | None = None,
    ) -> None:
        self._ports = ports
        self._index = index or StoreIndex(ports)
        self._source = source
        self._clock = clock or ports.clock

    def register(self, grievance: IvrGrievance) -> str | None:
        from samvad.grievances import Submission

        result = register(
            self._ports,
            Submission(
                channel="ivr", phone=grievance.phone, department=grievance.department,
                service=grievance.service, office_code=grievance.office or None,
                category=grievance.category, text=None,
                voice_key=grievance.voice_message or None, language=grievance.language,
                source_id=grievance.contact_id, source=self._source,
                district=grievance.district,
            ),
            self._clock(),
        )  # fmt: skip
        return result.reference if isinstance(result, Registration) else None

    def status(self, keyed: str, phone: str, language: str) -> Told | None:
        for reference in self._index.existing(candidates(keyed)):
            view = status(self._ports, reference, phone, source=self._source, now=self._clock())
            if isinstance(view, StatusView):
                return Told(spoken_status(view, language), view.state, int(view.level or 0))
        return None


def spoken_status(view: StatusView, language: str) -> str:
    """The level, state and last action in the words of the status SMS and page."""
    told = status_words(view, language)
    level = words(language)["levels"].get(told["level"], told["level"])
    return phrase(
        language, "status", reference=spelled(language, view.reference).rstrip("."),
        state=told["state"], level=level, last_action=told["action"],
    )  # fmt: skip
