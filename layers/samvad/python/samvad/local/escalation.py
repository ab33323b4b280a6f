"""The escalation stage on the local stack: the same state machine, run by moto's engine.

The definition is rendered from the CDK builder (``infra.constructs.escalation_definition``)
with the local names in place of the stack's, and created on the emulator with
``execute_state_machine`` switched on. moto's EventBridge only delivers to SQS and Lambda
never runs there, so ``EscalationRuntime.pump()`` hands the inbox and tasks queues to the real
``functions/escalation`` handler, as Lambda's SQS event source would.
"""

from __future__ import annotations

import functools
import hashlib
import json
import sys
import time
import urllib.request
from collections.abc import Callable

from samvad import resources
from samvad.local.cloud import ACCOUNT, REGION, REPO_ROOT, Names, queue_arn

PARTITION = "aws"
URL_SUFFIX = "amazonaws.com"


def inbox_queue(names: Names) -> str:
    return f"samvad-{names.stage}-escalation-inbox"


def tasks_queue(names: Names) -> str:
    return f"samvad-{names.stage}-escalation-tasks"


def topic_name(names: Names) -> str:
    return f"samvad-{names.stage}-case-notices"


def topic_arn(names: Names) -> str:
    return f"arn:aws:sns:{REGION}:{ACCOUNT}:{topic_name(names)}"


def state_machine_name(names: Names) -> str:
    return f"samvad-{names.stage}-escalation"


def state_machine_arn(names: Names) -> str:
    return f"arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:{state_machine_name(names)}"


def provision(client, names: Names) -> dict[str, str]:
    """Queues, topic, subscription and inbox rule (cheap); the state machine is created on
    first use by ``EscalationRuntime`` (rendering it starts the CDK's jsii runtime)."""
    sqs = client("sqs")
    for queue in (inbox_queue(names), tasks_queue(names)):
        sqs.create_queue(QueueName=queue, Attributes={"VisibilityTimeout": "360"})
    sns = client("sns")
    sns.create_topic(Name=topic_name(names))
    sns.subscribe(TopicArn=topic_arn(names), Protocol="sqs", Endpoint=queue_arn(tasks_queue(names)))
    events = client("events")
    events.put_rule(
        Name="escalation-inbox",
        EventBusName=names.bus,
        EventPattern=json.dumps(
            {
                "source": [resources.EVENT_SOURCE],
                "detail-type": [resources.FEEDBACK_POOR, resources.CASE_CONFIRMATION],
            }
        ),
    )
    events.put_targets(
        Rule="escalation-inbox",
        EventBusName=names.bus,
        Targets=[{"Id": "escalation", "Arn": queue_arn(inbox_queue(names))}],
    )
    return {
        resources.CASE_NOTICES_TOPIC_ENV: topic_arn(names),
        resources.ESCALATION_STATE_MACHINE_ENV: state_machine_arn(names),
    }


RENDER_INPUTS = (
    "infra/constructs/escalation_definition.py",
    "layers/samvad/python/samvad/resources.py",
    "layers/samvad/python/samvad/escalation/model.py",
    "layers/samvad/python/samvad/local/escalation.py",
)


@functools.cache
def render_definition(stage: str) -> str:
    """The stack's definition, built by the same CDK code with this stage's local names.

    Rendering starts the CDK's jsii runtime (~5–20 s), so the result is kept in ``.build/``
    under a hash of the files it depends on and the CDK version: any change renders again.
    """
    from importlib.metadata import version

    digest = hashlib.sha256(version("aws-cdk-lib").encode())
    for name in RENDER_INPUTS:
        digest.update((REPO_ROOT / name).read_bytes())
    cached = REPO_ROOT / ".build" / f"escalation-{stage}-{digest.hexdigest()[:16]}.asl.json"
    if cached.is_file():
        return cached.read_text()
    definition = _render(stage)
    cached.parent.mkdir(parents=True, exist_ok=True)
    cached.write_text(definition)
    return definition


def _render(stage: str) -> str:
    if str(REPO_ROOT) not in sys.path:
        sys.path.insert(0, str(REPO_ROOT))
    import aws_cdk as cdk
    from aws_cdk import aws_dynamodb as dynamodb
    from aws_cdk import aws_events as events
    from aws_cdk import aws_sns as sns
    from aws_cdk import aws_sqs as sqs
    from aws_cdk import aws_stepfunctions as sfn

    from infra.constructs.escalation_definition import COMMENT, Definition, Targets

    names = Names(stage)
    app = cdk.App()
    stack = cdk.Stack(app, "LocalEscalation", env=cdk.Environment(account=ACCOUNT, region=REGION))
    targets = Targets(
        table=dynamodb.Table.from_table_name(stack, "Cases", names.table(resources.CASES)),
        topic=sns.Topic.from_topic_arn(stack, "Notices", topic_arn(names)),
        bus=events.EventBus.from_event_bus_name(stack, "Bus", names.bus),
        dispatch_queue=sqs.Queue.from_queue_arn(stack, "Dispatch", queue_arn(names.dispatch_queue)),
    )
    definition = Definition(stack, targets)
    sfn.StateMachine(
        stack,
        "StateMachine",
        definition_body=sfn.DefinitionBody.from_chainable(definition.start),
        comment=COMMENT,
    )
    template = app.synth().get_stack_by_name("LocalEscalation").template
    (machine,) = (
        r for r in template["Resources"].values() if r["Type"] == "AWS::StepFunctions::StateMachine"
    )
    return resolve(machine["Properties"]["DefinitionString"])


def resolve(value) -> str:
    """Resolve the ``Fn::Join``/pseudo-parameter ``Ref``s CDK leaves in a definition string."""
    if isinstance(value, str):
        return value
    if "Fn::Join" in value:
        separator, parts = value["Fn::Join"]
        return separator.join(resolve(part) for part in parts)
    pseudo = {
        "AWS::Partition": PARTITION,
        "AWS::Region": REGION,
        "AWS::AccountId": ACCOUNT,
        "AWS::URLSuffix": URL_SUFFIX,
    }
    if value.get("Ref") in pseudo:
        return pseudo[value["Ref"]]
    raise ValueError(f"cannot resolve {value!r} locally")


class EscalationRuntime:
    """Creates the state machine on first use and delivers the stage's queues."""

    def __init__(self, cloud):
        self.cloud = cloud
        names = cloud.names
        sqs = cloud.client("sqs")
        self.queue_urls = {
            q: sqs.get_queue_url(QueueName=q)["QueueUrl"]
            for q in (inbox_queue(names), tasks_queue(names))
        }
        self.arn = state_machine_arn(names)
        self._enable_execution()
        cloud.client("stepfunctions").create_state_machine(
            name=state_machine_name(names),
            definition=render_definition(names.stage),
            roleArn=f"arn:aws:iam::{ACCOUNT}:role/samvad-{names.stage}-escalation",
        )

    def _enable_execution(self) -> None:
        request = urllib.request.Request(
            f"{self.cloud.endpoint}/moto-api/config",
            data=json.dumps({"stepfunctions": {"execute_state_machine": True}}).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        urllib.request.urlopen(request, timeout=10).close()

    def pump(self, max_messages: int = 10_000) -> list[dict]:
        """Deliver both queues to the escalation handler until they are empty (a batch of up to
        10 per invocation); failed records stay on the queue for a later pump."""
        from samvad.local.cloud import _sqs_event

        sqs = self.cloud.client("sqs")
        responses, delivered, idle = [], 0, False
        while delivered < max_messages and not idle:
            idle = True
            for name, url in self.queue_urls.items():
                batch = sqs.receive_message(
                    QueueUrl=url, MaxNumberOfMessages=10, AttributeNames=["All"]
                ).get("Messages", [])
                if not batch:
                    continue
                idle = False
                delivered += len(batch)
                records = [_sqs_event(m, queue_arn(name))["Records"][0] for m in batch]
                response = self.cloud.invoke("escalation", {"Records": records})
                responses.append(response)
                failed = {f["itemIdentifier"] for f in response.get("batchItemFailures", [])}
                for message in batch:
                    if message["MessageId"] in failed:
                        continue  # redelivered after its visibility timeout, as on AWS
                    sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
        return responses

    def run_until(self, done: Callable[[], bool], timeout: float = 60, poll: float = 0.2) -> bool:
        """Pump until ``done()`` (True) or ``timeout`` seconds have passed (False)."""
        deadline = time.monotonic() + timeout
        while True:
            self.pump()
            if done():
                return True
            if time.monotonic() > deadline:
                return False
            time.sleep(poll)

    def executions(self, status: str | None = None) -> list[dict]:
        client = self.cloud.client("stepfunctions")
        kwargs = {"stateMachineArn": self.arn}
        if status:
            kwargs["statusFilter"] = status
        return [
            e
            for page in client.get_paginator("list_executions").paginate(**kwargs)
            for e in page["executions"]
        ]

    def history(self, case_id: str) -> list[dict]:
        from samvad.escalation.model import execution_name

        arn = self.arn.replace(":stateMachine:", ":execution:") + ":" + execution_name(case_id)
        client = self.cloud.client("stepfunctions")
        return [
            e
            for page in client.get_paginator("get_execution_history").paginate(executionArn=arn)
            for e in page["events"]
        ]

    def stop_all(self) -> None:
        """Stop executions still running (an overdue case waits for a year on AWS)."""
        client = self.cloud.client("stepfunctions")
        for execution in self.executions("RUNNING"):
            client.stop_execution(executionArn=execution["executionArn"], cause="local stop")


def local_ports(cloud):
    """The clerk's ports over the local stack (what the CLI and the demo call)."""
    from samvad.adapters.cases import DynamoCases
    from samvad.adapters.config import DynamoConfig
    from samvad.adapters.state_machine import StepFunctionsTasks
    from samvad.adapters.visits import DynamoVisits
    from samvad.escalation.cases import EscalationPorts

    env = cloud.env
    return EscalationPorts(
        cases=DynamoCases(env[resources.CASES.env_var], cloud.client("dynamodb")),
        tasks=StepFunctionsTasks(
            env[resources.ESCALATION_STATE_MACHINE_ENV], cloud.client("stepfunctions")
        ),
        phone_of=DynamoVisits(env[resources.VISITS.env_var], cloud.client("dynamodb")).phone,
        config=DynamoConfig(env[resources.CONFIG.env_var], cloud.client("dynamodb")),
    )
