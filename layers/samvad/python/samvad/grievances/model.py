"""What a grievance is (``Submission``) and what registering or looking one up returns."""

from __future__ import annotations

from dataclasses import dataclass, field

CHANNELS = ("ivr", "sms", "web", "agent")
LANGUAGES = ("or", "hi", "en")
VISIT_PREFIX = "grv-"
"""The citizen of a grievance is kept as a visit ``grv-<reference>`` in the Visits table (the
phone there, encrypted at rest like every visit's), so the case's confirmation SMS and the
relay reach the citizen exactly as for sampled feedback, and erasure finds it by phone hash."""
MAX_TEXT = 2000


class GrievanceError(ValueError):
    """A submission that cannot be registered; ``field`` names what to fix."""

    def __init__(self, field_name: str, message: str) -> None:
        super().__init__(message)
        self.field = field_name


@dataclass(frozen=True)
class Submission:
    """One grievance as a channel received it.

    ``source_id`` is the channel's own id for the message (Connect ContactId, the SMS
    message id, the web form's submission token, the agent's call id): with ``channel`` it
    is the idempotency key, so a replayed message registers nothing new. ``source`` is the
    sender's address for per-source rate limits (the web client's IP, the IVR's number,
    the agent's id); never a phone of the citizen.
    """

    channel: str
    phone: str  # E.164; kept only hashed, and in the grievance's visit item
    department: str
    service: str
    office_code: str | None
    category: str
    text: str | None
    voice_key: str | None
    language: str
    source_id: str
    source: str = ""
    by: str = ""  # the contact-centre agent who took the call (channel "agent")
    district: str = ""  # when the channel knows it (the IVR's district list): L2 holder

    @property
    def idempotency_key(self) -> str:
        return f"{self.channel}#{self.source_id}"


@dataclass(frozen=True)
class Registration:
    reference: str
    case_id: str
    folded: bool = False  # attached to the same citizen's open identical grievance
    replayed: bool = False  # this message was registered before


@dataclass(frozen=True)
class Rejected:
    """Not registered; stored in the rejects with ``reason`` (nothing a citizen sends is lost)."""

    reason: str  # invalid | rate_limited_phone | rate_limited_source
    field: str
    message: str
    reject_id: str


@dataclass(frozen=True)
class StatusView:
    reference: str
    level: int  # 0 before the first assignment
    state: str  # registered | open | awaiting_confirmation | resolved
    last_action: str  # a code: registered, opened, escalated, atr_filed, citizen_not_resolved…
    last_action_at: str
    language: str
    department: str = ""
    service: str = ""
    category: str = ""
    question: str = ""  # the official's latest relayed question, if it is the last action


@dataclass(frozen=True)
class Refusal:
    reason: str  # not_found | wrong_phone | rate_limited
    details: dict[str, str] = field(default_factory=dict)
