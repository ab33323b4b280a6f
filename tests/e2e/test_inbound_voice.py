"""An IVR grievance's voice message on the local stack: the player records it where Connect
would, the rule's queue brings ``GrievanceRegistered`` to the real ``grievance_voice``
handler, which copies it into the case under ``cases/`` once, however often it is delivered
(issue 11)."""

from __future__ import annotations

import dataclasses
import json

import pytest

from samvad import resources
from samvad.adapters.config import DynamoConfig
from samvad.grievances.voice import voice_object_key
from samvad.inbound_ivr.menus import MENUS_CONFIG
from samvad_dev.local.cloud import LocalCloud
from samvad_dev.local.inbound_calls import InboundCaller
from samvad_dev.local.voice_messages import pump_voice_messages
from tests.inbound_fakes import MENUS, PHONE

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("inbound_voice")]

WITH_VOICE = ["3", "1", "1", "1", "1002", "2", "1", "#"]
"""English; a grievance; Health; OPD; office 1002; delay; a voice message, ended by #."""


@pytest.fixture(scope="module")
def cloud():
    with LocalCloud(stage="voice", in_process=True) as local:
        DynamoConfig(local.env[resources.CONFIG.env_var]).publish(MENUS_CONFIG, MENUS)
        yield local


def _grievance(cloud, reference: str) -> dict:
    item = cloud.client("dynamodb").get_item(
        TableName=cloud.names.table(resources.GRIEVANCES),
        Key={"pk": {"S": f"ref#{reference}"}, "sk": {"S": "item"}},
    )
    return item.get("Item") or {}


def test_a_voice_message_is_copied_into_its_case_once(cloud):
    """Given a caller who leaves a voice message, When the call ends (the player writes the
    recording), the case is opened and the voice queue is delivered twice (a replayed event
    too), Then the recording is in the case's prefix of the data bucket, the case names it,
    and it was copied once; no event carries the caller's number."""
    caller = InboundCaller(cloud)
    run = caller.call(WITH_VOICE, PHONE, contact_id="voice-1")
    assert run.recorded and caller.counts["voice_messages_recorded"] == 1
    events = cloud.domain_events(resources.GRIEVANCE_REGISTERED)
    [event] = events
    assert event["detail"]["has_voice"] is True and PHONE[-10:] not in json.dumps(events)
    reference, case_id = event["detail"]["reference"], event["detail"]["case_id"]

    queue = dataclasses.replace(
        cloud.queue(cloud.names.voice_queue, "grievance_voice"), retry_after=0
    )  # a failed record comes round again at once (on AWS: after the visibility timeout)
    assert queue.batch()["failed"] == 1  # the case is not opened yet: retried
    cloud.escalation.pump()  # the inbox opens the case
    url = cloud.queue_urls[cloud.names.voice_queue]
    cloud.client("sqs").send_message(QueueUrl=url, MessageBody=json.dumps(event))  # a replay
    assert pump_voice_messages(cloud) == {"delivered": 2, "failed": 0}

    key = voice_object_key(case_id)
    s3 = cloud.client("s3")
    copied = s3.get_object(Bucket=cloud.names.bucket, Key=key)
    assert copied["Body"].read().startswith(b"RIFF")
    versions = s3.list_object_versions(Bucket=cloud.names.bucket, Prefix=key)["Versions"]
    assert len(versions) == 1  # copied once
    case = cloud.client("dynamodb").get_item(
        TableName=cloud.names.table(resources.CASES), Key={"case_id": {"S": case_id}}
    )["Item"]
    assert case["voice_object"]["S"] == key
    assert _grievance(cloud, reference)["voice_object"]["S"] == key
    assert _grievance(cloud, reference)["voice_key"]["S"].startswith(
        f"s3://{cloud.names.recordings_bucket}/"
    )
