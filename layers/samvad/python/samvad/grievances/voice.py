"""An IVR grievance's voice message: copied from Amazon Connect's recordings into the case.

The inbound IVR stores, on the grievance record, where Connect will write the contact's
recording (``voice_key``: ``s3://<bucket>/<prefix>/CallRecordings/YYYY/MM/DD/<contact id>_``);
Connect writes it when the call ends. ``GrievanceRegistered`` with ``has_voice`` reaches
``copy_voice`` (through a queue whose delivery is delayed, and retried until the recording and
the case exist): it finds the recording under that prefix, copies it into the data bucket
as ``cases/<case id>/voice/message.wav`` (encrypted with the stack's KMS key), and notes that
key on the case (``voice_object``) and the grievance record. Replayed, it copies nothing
again. Officials play it through a short-lived presigned link (``samvad.workspace.cases``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from samvad import resources
from samvad.grievances.ports import GrievanceStore
from samvad.grievances.references import parse_reference

VOICE_FILE = "voice/message.wav"


class NotReady(RuntimeError):
    """The recording or the case is not there yet: the message is retried later."""


class Recordings(Protocol):
    def find(self, prefix: str) -> str | None:
        """The first recording (``s3://bucket/key``) whose key starts with ``prefix`` (an
        ``s3://`` URI), or None while there is none."""
        ...

    def copy(self, source: str, key: str) -> bool:
        """Copy ``source`` into the data bucket at ``key``, encrypted with the stack's key;
        False when ``key`` is there already (nothing copied)."""
        ...


class VoiceCases(Protocol):
    def get(self, case_id: str) -> dict | None: ...
    def annotate(self, case_id: str, fields: dict) -> bool:
        """Set ``fields`` on an existing case; False if there is no such case."""
        ...


@dataclass(frozen=True)
class VoicePorts:
    store: GrievanceStore
    recordings: Recordings
    cases: VoiceCases
    location: str
    """The Connect instance's recordings location (``s3://<bucket>/<prefix>``): nothing
    outside it is ever copied."""


def voice_object_key(case_id: str) -> str:
    return f"{resources.CASE_FILES_PREFIX}{case_id}/{VOICE_FILE}"


def copy_voice(ports: VoicePorts, reference: str) -> str:
    """``copied``, ``copied_already``, or ``no_recording`` (the grievance has no recording
    location: recorded without a configured location, or no voice message at all). Raises
    ``NotReady`` while the recording or the case does not exist yet, ``ValueError`` for a
    reference that is not one or a location outside the configured one."""
    canonical = parse_reference(reference)
    if canonical is None:
        raise ValueError(f"not a grievance reference: {reference!r}")
    record = ports.store.get(f"ref#{canonical}") or {}
    prefix = str(record.get("voice_key") or "")
    if not prefix.startswith("s3://"):
        return "no_recording"
    location = ports.location.rstrip("/") + "/"
    if not ports.location or not prefix.startswith(location) or ".." in prefix:
        raise ValueError(f"{canonical}: the recording is outside the recordings location")
    case_id = str(record.get("case_id") or "")
    key = voice_object_key(case_id)
    if record.get("voice_object") == key:
        return "copied_already"
    case = ports.cases.get(case_id)
    if case is None:
        raise NotReady(f"{canonical}: the case is not opened yet")
    source = ports.recordings.find(prefix)
    if source is None:
        raise NotReady(f"{canonical}: Connect has not written the recording yet")
    copied = ports.recordings.copy(source, key)
    if not ports.cases.annotate(case_id, {"voice_object": key}):
        raise NotReady(f"{canonical}: the case is not opened yet")
    ports.store.put(f"ref#{canonical}", {**record, "voice_object": key})
    return "copied" if copied else "copied_already"
