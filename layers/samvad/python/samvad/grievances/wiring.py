"""Build the grievance ports over the stack's resources (any function that registers or
looks up grievances: the feedback function's SMS keywords and form ``/g``, the inbound IVR,
the workspace)."""

from __future__ import annotations

import functools

from samvad import clock, resources
from samvad.adapters.cases import DynamoCases
from samvad.adapters.config import DynamoConfig
from samvad.adapters.events import EventBridgePublisher
from samvad.adapters.grievances import DynamoGrievances, VisitCitizens
from samvad.adapters.rate_limits import DynamoRateLimiter
from samvad.adapters.secrets import secret_bytes
from samvad.adapters.sms import SnsSms
from samvad.grievances.ports import GrievancePorts
from samvad.grievances.voice import VoicePorts, copy_voice
from samvad.pii import PhoneHasher
from samvad.settings import GrievanceVoiceSettings


@functools.cache
def grievance_ports(
    *,
    grievances_table: str,
    visits_table: str,
    cases_table: str,
    config_table: str,
    rate_limits_table: str,
    event_bus: str,
    phone_hash_secret_id: str,
) -> GrievancePorts:
    """Ports for these tables (built once per warm function); the SMS policy (sender, DLT
    template ids) is attached per request by the caller with ``dataclasses.replace``."""
    return GrievancePorts(
        store=DynamoGrievances(grievances_table),
        citizens=VisitCitizens(visits_table),
        cases=DynamoCases(cases_table),
        events=EventBridgePublisher(event_bus),
        hasher=PhoneHasher(secret_bytes(phone_hash_secret_id)),
        config=DynamoConfig(config_table),
        limiter=DynamoRateLimiter(rate_limits_table) if rate_limits_table else None,
        sms=SnsSms(),
        clock=clock.now,
    )


def voice_ports(settings: GrievanceVoiceSettings) -> VoicePorts:
    """The voice-message copier's ports (``samvad.grievances.voice``)."""
    from samvad.adapters.recordings import S3Recordings

    return VoicePorts(
        store=DynamoGrievances(settings.grievances_table),
        recordings=S3Recordings(settings.data_bucket, settings.data_key_arn),
        cases=DynamoCases(settings.cases_table),
        location=settings.recordings,
    )


def copy_voice_message(body: str, settings: GrievanceVoiceSettings) -> str:
    """One queued ``GrievanceRegistered`` (an EventBridge event as the SQS body)."""
    import json

    event = json.loads(body)
    if event.get("detail-type") != resources.GRIEVANCE_REGISTERED:
        raise ValueError(f"not GrievanceRegistered: {event.get('detail-type')!r}")
    detail = event.get("detail") or {}
    if not detail.get("has_voice"):
        return "no_recording"
    return copy_voice(voice_ports(settings), str(detail.get("reference") or ""))
