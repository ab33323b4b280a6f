"""Grievance voice messages: Connect's recording of an IVR grievance copied into its case.

Built with the inbound IVR when the stack knows the instance's recordings location
(``connect_recordings``). ``GrievanceRegistered`` events with a voice message go, by a rule on
the bus, to ``queue`` with a delivery delay (Connect writes the recording when the call ends);
``function`` (``functions/grievance_voice``) copies it under ``cases/<case id>/voice/``,
encrypted with the data key, and retries (the queue's visibility timeout apart) until the
recording and the case exist; then the dead-letter queue.
"""

from __future__ import annotations

from typing import Unpack

import aws_cdk as cdk
from aws_cdk import aws_events as events
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda_event_sources as sources
from constructs import Construct

from infra.constructs.function import FunctionArgs, SamvadFunction
from infra.constructs.nag import acknowledge_wildcard
from infra.constructs.queues import dead_letter_queue, redriving_queue, rule_target
from infra.constructs.statements import key_statement, table_statements
from infra.constructs.storage import DataStore
from samvad import resources

TIMEOUT = cdk.Duration.seconds(30)
DELIVERY_DELAY = cdk.Duration.minutes(5)
"""A call with a voice message usually ends within minutes of it."""
VISIBILITY = cdk.Duration.seconds(6 * 30)
"""Six times the timeout; also the spacing of retries while the recording is not there."""
MAX_RECEIVES = 20
"""About an hour of retries (20 × 3 minutes) before a message waits in the dead-letter queue."""
TABLE_ACTIONS = {
    "Grievances": ("dynamodb:GetItem", "dynamodb:PutItem"),  # voice_key in, voice_object out
    "Cases": ("dynamodb:GetItem", "dynamodb:UpdateItem"),  # the case's voice_object
}


class GrievanceVoice(SamvadFunction):
    """``function``, ``queue``, ``dead_letters``, ``rule``; the role reads only the recordings
    location (list with its prefix, get its objects) and writes only ``cases/``."""

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        recordings: str,
        recordings_key_arn: str = "",
        **common: Unpack[FunctionArgs],
    ) -> None:
        store = common["store"]
        super().__init__(
            scope,
            id,
            name="grievance_voice",
            description="Samvad: IVR grievances' voice messages copied from Connect into cases",
            memory_size=256,
            timeout=TIMEOUT,
            environment={
                resources.CONNECT_RECORDINGS_ENV: recordings,
                resources.DATA_KEY_ENV: store.key.key_arn,
            },
            **common,
        )
        self.dead_letters = dead_letter_queue(
            self,
            "DeadLetterQueue",
            key=store.queue_key,
            of="the voice messages to copy (their rule's target and their queue's redrive)",
        )
        self.queue = redriving_queue(
            self,
            "Queue",
            key=store.queue_key,
            dead_letters=self.dead_letters,
            max_receives=MAX_RECEIVES,
            visibility_timeout=VISIBILITY,
            delivery_delay=DELIVERY_DELAY,
        )
        self.rule = events.Rule(
            self,
            "Rule",
            event_bus=store.bus,
            description="Samvad: IVR grievances with a voice message, to copy into the case",
            event_pattern=events.EventPattern(
                source=[resources.EVENT_SOURCE],
                detail_type=[resources.GRIEVANCE_REGISTERED],
                detail={"has_voice": [True], "channel": ["ivr"]},
            ),
            targets=[rule_target(self.queue, self.dead_letters)],
        )
        self.function.add_event_source(
            sources.SqsEventSource(self.queue, batch_size=5, report_batch_item_failures=True)
        )
        self._grants(store, recordings, recordings_key_arn)

    def _grants(self, store: DataStore, recordings: str, recordings_key_arn: str) -> None:
        bucket, _, prefix = recordings.removeprefix("s3://").partition("/")
        prefix = prefix.rstrip("/")
        partition = cdk.Aws.PARTITION
        objects = (
            f"arn:{partition}:s3:::{bucket}/{prefix}/*"
            if prefix
            else f"arn:{partition}:s3:::{bucket}/*"
        )
        cases = store.bucket.arn_for_objects(f"{resources.CASE_FILES_PREFIX}*")
        self.add_statements(
            *table_statements(store, TABLE_ACTIONS),
            iam.PolicyStatement(
                sid="ListRecordings",
                actions=["s3:ListBucket"],
                resources=[f"arn:{partition}:s3:::{bucket}"],
                conditions={"StringLike": {"s3:prefix": [f"{prefix}/*" if prefix else "*"]}},
            ),
            iam.PolicyStatement(
                sid="ReadRecordings", actions=["s3:GetObject"], resources=[objects]
            ),
            iam.PolicyStatement(
                sid="WriteCaseFiles", actions=["s3:GetObject", "s3:PutObject"], resources=[cases]
            ),
            key_statement("UseDataKey", store.key),
        )
        if recordings_key_arn:  # the instance's recordings key (Connect encrypts with it)
            self.add_statements(
                iam.PolicyStatement(
                    sid="DecryptRecordings", actions=["kms:Decrypt"], resources=[recordings_key_arn]
                )
            )
        self.acknowledge_object_prefixes(
            [resources.CASE_FILES_PREFIX],
            reason="each case's voice message is written under its own case id.",
        )
        acknowledge_wildcard(
            self.role,
            objects,
            reason="Connect names each recording after its contact and time: only the "
            "instance's call-recordings location (connect_recordings) is readable.",
        )
