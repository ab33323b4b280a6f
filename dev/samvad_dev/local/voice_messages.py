"""IVR voice messages, locally: what Connect records, and the copy into the case.

Amazon Connect writes a contact's recording to the instance's recordings location when the
call ends; ``record_voice_message`` does that for the local IVR player (a short silent WAV
at ``<location>/YYYY/MM/DD/<contact id>_<time>_UTC.wav``). On AWS a rule sends
``GrievanceRegistered`` with a voice message to a delayed queue that triggers the
``grievance_voice`` function (``infra.constructs.grievance_voice``); locally the rule targets
the same queue (``samvad_dev.local.provision``) and ``pump_voice_messages`` delivers it.
"""

from __future__ import annotations

import datetime as dt
import io
import wave
from typing import Any

from samvad import resources


def silent_wav(seconds: float = 1.0, rate: int = 8000) -> bytes:
    """A mono 8 kHz 16-bit WAV of silence: what a telephone recording looks like."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(b"\x00\x00" * int(seconds * rate))
    return buffer.getvalue()


def record_voice_message(cloud: Any, contact_id: str) -> str:
    """Write the contact's recording where Connect would; returns its ``s3://`` URI."""
    location = cloud.env.get(resources.CONNECT_RECORDINGS_ENV, "")
    bucket, _, prefix = location.removeprefix("s3://").partition("/")
    at = (cloud.simulated_now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC)
    key = f"{prefix.rstrip('/')}/{at:%Y/%m/%d}/{contact_id}_{at:%Y%m%dT%H:%M}_UTC.wav"
    cloud.client("s3").put_object(
        Bucket=bucket, Key=key, Body=silent_wav(), ContentType="audio/wav"
    )
    return f"s3://{bucket}/{key}"


def pump_voice_messages(cloud: Any) -> dict:
    """Deliver the voice-messages queue to ``grievance_voice`` (a recording or case not there
    yet stays on the queue, as on AWS); returns counts delivered and failed."""
    queue = cloud.queue(cloud.names.voice_queue, "grievance_voice")
    counts = queue.drain()
    return {"delivered": counts["delivered"] + counts["failed"], "failed": counts["failed"]}
