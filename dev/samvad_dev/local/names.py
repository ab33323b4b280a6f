"""Where the local stack lives: region, account, repository paths, resource names and ARNs."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from samvad import resources

REGION = "ap-south-1"
ACCOUNT = "123456789012"  # moto's default: mock_aws() tests' and the in-process cloud's
REPO_ROOT = Path(__file__).resolve().parents[3]
FUNCTIONS = REPO_ROOT / "functions"


def queue_arn(name: str, account: str = ACCOUNT) -> str:
    return f"arn:aws:sqs:{REGION}:{account}:{name}"


@dataclass(frozen=True)
class Names:
    """Physical names of the local stack's resources, in ``account`` (a server-mode
    ``LocalCloud`` has one of its own: ``local.isolation``)."""

    stage: str
    account: str = ACCOUNT

    def _name(self, suffix: str) -> str:
        return f"samvad-{self.stage}-{suffix}"

    @property
    def bucket(self) -> str:
        return self._name("data")

    def table(self, spec: resources.TableSpec) -> str:
        return self._name(spec.logical_id.lower())

    @property
    def intake_queue(self) -> str:
        return self._name("intake")

    @property
    def dispatch_queue(self) -> str:
        return self._name("dispatch")

    @property
    def events_queue(self) -> str:
        """The observer queue: every domain event, for the runtime to read."""
        return self._name("events")

    @property
    def calls_queue(self) -> str:
        """Calls the notify function "dials": the citizen simulator answers them."""
        return self._name("calls")

    @property
    def reports_queue(self) -> str:
        return self._name("reports")

    @property
    def reports_topic(self) -> str:
        return self._name("reports")

    @property
    def inbox_queue(self) -> str:
        """Escalation's inbox: ``FeedbackPoor`` and ``CaseConfirmation`` from the bus."""
        return self._name("escalation-inbox")

    @property
    def tasks_queue(self) -> str:
        """Escalation's tasks: the state machine's SNS notices, carrying task tokens."""
        return self._name("escalation-tasks")

    @property
    def sms_requests_queue(self) -> str:
        """``GrievanceSmsRequested`` from the bus, for the feedback function to send."""
        return self._name("sms-requests")

    @property
    def voice_queue(self) -> str:
        """``GrievanceRegistered`` with a voice message, for ``grievance_voice`` to copy."""
        return self._name("grievance-voice")

    @property
    def recordings_bucket(self) -> str:
        """Amazon Connect's call recordings (outside the stack on AWS; the IVR player writes)."""
        return self._name("connect-recordings")

    @property
    def recordings_location(self) -> str:
        return f"s3://{self.recordings_bucket}/connect/samvad-{self.stage}/CallRecordings"

    @property
    def notices_topic(self) -> str:
        return self._name("case-notices")

    @property
    def notices_topic_arn(self) -> str:
        return f"arn:aws:sns:{REGION}:{self.account}:{self.notices_topic}"

    @property
    def state_machine(self) -> str:
        return self._name("escalation")

    @property
    def state_machine_arn(self) -> str:
        return f"arn:aws:states:{REGION}:{self.account}:stateMachine:{self.state_machine}"

    @property
    def queues(self) -> tuple[str, ...]:
        return (
            self.intake_queue,
            self.dispatch_queue,
            self.events_queue,
            self.calls_queue,
            self.reports_queue,
            self.inbox_queue,
            self.tasks_queue,
            self.sms_requests_queue,
            self.voice_queue,
        )

    @property
    def bus(self) -> str:
        return f"samvad-{self.stage}"

    @property
    def bus_arn(self) -> str:
        return f"arn:aws:events:{REGION}:{self.account}:event-bus/{self.bus}"

    @property
    def secret(self) -> str:
        return f"samvad/{self.stage}/phone-hash-key"

    @property
    def sampling_secret(self) -> str:
        return f"samvad/{self.stage}/sampling-key"

    @property
    def link_secret(self) -> str:
        return f"samvad/{self.stage}/link-signing-key"

    @property
    def scheduler_role_arn(self) -> str:
        return f"arn:aws:iam::{self.account}:role/samvad-{self.stage}-dispatch-scheduler"
