"""The escalation state machine's definition, built from stepfunctions-tasks constructs.

One builder serves the stack (``infra/constructs/escalation.py``) and, through
``infra/escalation_state_machine.json`` (``python -m infra.constructs.escalation_definition``
writes it; a test fails while it differs from the stack's), the local runtime, so both run the
same definition without the local runtime starting the CDK. Direct integrations only: SNS
(``.waitForTaskToken``) for the clerk's callbacks and officials' notices, DynamoDB for
closing and overdue flags, EventBridge for case events, SQS for the citizen's confirmation on
the dispatch path.

State: ``case`` (ids and the visit's department/service/office/district/official), ``opened_at``,
``factor`` (time compression), ``step`` (level, round, from_level, reason), then
``assignment`` (the clerk's answer: holder, deadline, waits in seconds, texts, the event),
``atr`` and ``confirmation`` (the callbacks' outputs), ``reason`` and ``overdue``.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_events as events
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs
from aws_cdk import aws_stepfunctions as sfn
from aws_cdk import aws_stepfunctions_tasks as tasks
from constructs import Construct

from samvad import resources
from samvad.escalation.model import TOP_LEVEL

JP = sfn.JsonPath
DISCARD = JP.DISCARD
CLERK_TIMEOUT = cdk.Duration.minutes(15)
TASK_RETRY = {
    "interval": cdk.Duration.seconds(2),
    "backoff_rate": 2,
    "max_attempts": 12,
    "max_delay": cdk.Duration.minutes(15),
}
"""Integration failures (SNS, DynamoDB, EventBridge, SQS): ~2.5 h of backed-off retries."""
COMMENT = "Samvad grievance case: L1 → L4 with SLAs, ATRs and citizen confirmation"
CONDITION_FAILED = "DynamoDB.ConditionalCheckFailedException"


@dataclass(frozen=True)
class Targets:
    table: dynamodb.ITable
    topic: sns.ITopic
    bus: events.IEventBus
    dispatch_queue: sqs.IQueue


def _s(path: str) -> str:
    return JP.string_at(path)


def _n(path: str):
    return tasks.DynamoAttributeValue.number_from_string(JP.format("{}", _s(path)))


def _dims() -> dict:
    return {
        f: _s(f"$.case.{f}")
        for f in (
            "case_id",
            "visit_key",
            "department",
            "service",
            "office_code",
            "district",
            "official_id",
        )
    }


def _sqs_part(task: str) -> str:
    """What the stage's own queue receives: ``task|token|state`` (never officials)."""
    return JP.format(f"{task}|{{}}|{{}}", JP.task_token, JP.json_to_string(JP.object_at("$")))


class Definition:
    """``Definition(scope, targets).start`` is the chain to give ``DefinitionBody``."""

    def __init__(self, scope: Construct, targets: Targets):
        self.scope, self.t = scope, targets
        self.failed = sfn.Fail(
            scope,
            "Stalled",
            error="CaseStalled",
            cause="An integration kept failing; the case item stays open",
        )
        self.stall = self._stall()
        assign = self._clerk("Assign", "assign", "$.assignment", CLERK_TIMEOUT)
        announce = self._announce(
            "AnnounceLevel", "$.assignment.event.detail_type", "$.assignment.event.detail"
        )
        notify = self._notice("NotifyOfficial", "notice", "$.assignment.reminder_seconds")
        remind = self._notice("RemindOfficial", "reminder", "$.assignment.final_seconds")
        overdue_wait = self._notice("AwaitOverdueAtr", "overdue", "$.assignment.renotify_seconds")
        ask = self._ask_citizen()
        await_citizen = self._clerk(
            "AwaitCitizen",
            "await_confirmation",
            "$.confirmation",
            sfn.Timeout.at("$.assignment.confirm_seconds"),
        )
        escalate = sfn.Pass(
            scope,
            "Escalate",
            result_path="$.step",
            parameters={
                "level": JP.math_add(JP.number_at("$.step.level"), 1),
                "round": JP.math_add(JP.number_at("$.step.round"), 1),
                "from_level": JP.number_at("$.step.level"),
                "reason": _s("$.reason"),
            },
        )
        reassign = sfn.Pass(
            scope,
            "ReassignCmOffice",
            result_path="$.step",
            parameters={
                "level": TOP_LEVEL,
                "round": JP.math_add(JP.number_at("$.step.round"), 1),
                "from_level": TOP_LEVEL,
                "reason": _s("$.reason"),
            },
        )
        climb = (
            sfn.Choice(scope, "Climb")
            .when(sfn.Condition.number_less_than("$.step.level", TOP_LEVEL), escalate)
            .otherwise(reassign)
        )
        mark_overdue = self._mark_overdue()
        deadline_passed = (
            sfn.Choice(scope, "DeadlinePassed")
            .when(
                sfn.Condition.number_less_than("$.step.level", TOP_LEVEL),
                self._reason("SlaTimeout", "sla_timeout").next(escalate),
            )
            .otherwise(mark_overdue)
        )
        close = self._close()
        verdict = (
            sfn.Choice(scope, "Verdict")
            .when(sfn.Condition.boolean_equals("$.confirmation.resolved", True), close)
            .otherwise(self._reason("NotResolved", "citizen_not_resolved").next(climb))
        )
        no_answer = self._reason("NoAnswer", "citizen_no_answer").next(climb)

        assign.next(announce).next(notify)
        notify.add_catch(remind, errors=[sfn.Errors.TIMEOUT], result_path=DISCARD)
        remind.add_catch(deadline_passed, errors=[sfn.Errors.TIMEOUT], result_path=DISCARD)
        notify.next(ask)
        remind.next(ask)
        ask.next(await_citizen)
        await_citizen.add_catch(no_answer, errors=[sfn.Errors.TIMEOUT], result_path=DISCARD)
        await_citizen.next(verdict)
        escalate.next(assign)
        reassign.next(assign)
        overdue_wait.add_catch(overdue_wait, errors=[sfn.Errors.TIMEOUT], result_path=DISCARD)
        overdue_wait.next(ask)
        flag = sfn.Pass(
            scope, "FlagOverdue", result=sfn.Result.from_boolean(True), result_path="$.overdue"
        )
        mark_overdue.add_catch(overdue_wait, errors=[CONDITION_FAILED], result_path=DISCARD)
        mark_overdue.next(flag).next(self._announce_overdue()).next(overdue_wait)
        for task in (assign, await_citizen, notify, remind, overdue_wait, ask, mark_overdue):
            self._stalls(task)
        self.start = assign

    # -- building blocks ------------------------------------------------------------------------

    def _retry(self, task: sfn.TaskStateBase) -> sfn.TaskStateBase:
        task.add_retry(errors=[sfn.Errors.TASKS_FAILED], **TASK_RETRY)
        return task

    def _stalls(self, task: sfn.TaskStateBase) -> None:
        task.add_catch(self.stall, errors=[sfn.Errors.ALL], result_path="$.error")

    def _clerk(self, id: str, task: str, result_path: str, timeout) -> tasks.SnsPublish:
        """Publish a task for the clerk (the stage's queue only) and wait for its answer."""
        timeout = timeout if isinstance(timeout, sfn.Timeout) else sfn.Timeout.duration(timeout)
        state = self._clerk_task(id, task, task, {}, timeout=timeout, result_path=result_path)
        if task == "assign":  # the clerk not answering is a failure to retry, not a verdict
            state.add_retry(errors=[sfn.Errors.TIMEOUT], max_attempts=3)
        return self._retry(state)

    def _notice(self, id: str, text: str, timeout_path: str) -> tasks.SnsPublish:
        """Wait for the ATR: the stage's queue gets the token and which notice to send
        (``await_atr:<text>``); the clerk sends the holder that text from the case item, so
        no notice text (masked number, case page URL) passes through the execution."""
        state = self._clerk_task(
            id,
            "await_atr",
            f"await_atr:{text}",
            {"notice": text},
            timeout=sfn.Timeout.at(timeout_path),
            result_path="$.atr",
        )
        return self._retry(state)

    def _clerk_task(
        self,
        id: str,
        task: str,
        sqs_task: str,
        attributes: dict[str, str],
        *,
        timeout: sfn.Timeout,
        result_path: str,
    ) -> tasks.SnsPublish:
        """Publish ``task`` to the clerk's topic (``sqs_task`` in the queue's message, the
        case id and ``attributes`` as message attributes) and wait for the task token."""
        return tasks.SnsPublish(
            self.scope,
            id,
            topic=self.t.topic,
            integration_pattern=sfn.IntegrationPattern.WAIT_FOR_TASK_TOKEN,
            message=sfn.TaskInput.from_object(
                {"default": f"samvad case task: {task}", "sqs": _sqs_part(sqs_task)}
            ),
            message_per_subscription_type=True,
            message_attributes={
                "task": tasks.MessageAttribute(value=task),
                **{name: tasks.MessageAttribute(value=v) for name, v in attributes.items()},
                "case_id": tasks.MessageAttribute(value=_s("$.case.case_id")),
            },
            task_timeout=timeout,
            result_path=result_path,
        )

    def _announce(self, id: str, detail_type: str, detail: str) -> tasks.EventBridgePutEvents:
        return self._put_event(id, _s(detail_type), sfn.TaskInput.from_json_path_at(detail))

    def _event(self, id: str, detail_type: str, detail: dict) -> tasks.EventBridgePutEvents:
        return self._put_event(id, detail_type, sfn.TaskInput.from_object({**_dims(), **detail}))

    def _put_event(
        self, id: str, detail_type: str, detail: sfn.TaskInput
    ) -> tasks.EventBridgePutEvents:
        """Put one domain event on the bus (result discarded; retried, then a stall)."""
        state = tasks.EventBridgePutEvents(
            self.scope,
            id,
            result_path=DISCARD,
            entries=[
                tasks.EventBridgePutEventsEntry(
                    event_bus=self.t.bus,
                    source=resources.EVENT_SOURCE,
                    detail_type=detail_type,
                    detail=detail,
                )
            ],
        )
        self._stalls(self._retry(state))
        return state

    def _announce_overdue(self) -> tasks.EventBridgePutEvents:
        return self._event(
            "AnnounceOverdue",
            resources.CASE_OVERDUE,
            {"level": TOP_LEVEL, "since": _s("$.assignment.deadline")},
        )

    def _reason(self, id: str, reason: str) -> sfn.Pass:
        return sfn.Pass(
            self.scope, id, result=sfn.Result.from_string(reason), result_path="$.reason"
        )

    def _ask_citizen(self) -> tasks.SqsSendMessage:
        """The confirmation contact, on the dispatch path (``docs/contracts.md``)."""
        return self._retry(
            tasks.SqsSendMessage(
                self.scope,
                "AskCitizen",
                queue=self.t.dispatch_queue,
                result_path=DISCARD,
                message_body=sfn.TaskInput.from_object(
                    {
                        "kind": "confirmation",
                        "visit_key": _s("$.case.visit_key"),
                        "case_id": _s("$.case.case_id"),
                        "channel": "sms",
                        "language": _s("$.assignment.language"),
                        "level": JP.number_at("$.step.level"),
                        "round": JP.number_at("$.step.round"),  # the key: one ask per round
                    }
                ),
            )
        )

    def _audit(self, who: str, what: str, reason: str):
        return tasks.DynamoAttributeValue.from_list(
            [
                tasks.DynamoAttributeValue.from_map(
                    {
                        "at": tasks.DynamoAttributeValue.from_string(_s("$$.State.EnteredTime")),
                        "who": tasks.DynamoAttributeValue.from_string(who),
                        "what": tasks.DynamoAttributeValue.from_string(what),
                        "from_level": _n("$.step.level"),
                        "to_level": _n("$.step.level"),
                        "reason": tasks.DynamoAttributeValue.from_string(reason),
                    }
                )
            ]
        )

    def _update(self, id: str, expression: str, condition: str, values: dict, names: dict):
        return self._retry(
            tasks.DynamoUpdateItem(
                self.scope,
                id,
                table=self.t.table,
                result_path=DISCARD,
                key={"case_id": tasks.DynamoAttributeValue.from_string(_s("$.case.case_id"))},
                update_expression=expression,
                condition_expression=condition,
                expression_attribute_names=names,
                expression_attribute_values=values,
            )
        )

    def _close(self) -> tasks.DynamoUpdateItem:
        close = self._update(
            "Close",
            "SET #status = :resolved, resolved_at = :at, stage = :closed, "
            "audit = list_append(audit, :entry)",
            "#status <> :resolved AND #round = :round",
            {
                ":resolved": tasks.DynamoAttributeValue.from_string("resolved"),
                ":closed": tasks.DynamoAttributeValue.from_string("closed"),
                ":at": tasks.DynamoAttributeValue.from_string(_s("$.confirmation.received_at")),
                ":round": _n("$.step.round"),
                ":entry": self._audit("citizen", "resolved", "citizen_confirmed"),
            },
            {"#status": "status", "#round": "round"},
        )
        announce = self._event(
            "AnnounceResolved",
            resources.CASE_RESOLVED,
            {
                "level": JP.number_at("$.step.level"),
                "opened_at": _s("$.opened_at"),
                "resolved_at": _s("$.confirmation.received_at"),
            },
        )
        close.add_catch(announce, errors=[CONDITION_FAILED], result_path=DISCARD)
        self._stalls(close)
        close.next(announce).next(sfn.Succeed(self.scope, "Resolved"))
        return close

    def _mark_overdue(self) -> tasks.DynamoUpdateItem:
        return self._update(
            "MarkOverdue",
            "SET #status = :overdue, overdue_since = :since, audit = list_append(audit, :entry)",
            "#status = :open",
            {
                ":overdue": tasks.DynamoAttributeValue.from_string("overdue"),
                ":open": tasks.DynamoAttributeValue.from_string("open"),
                ":since": tasks.DynamoAttributeValue.from_string(_s("$.assignment.deadline")),
                ":entry": self._audit("system", "overdue_at_cm_office", "sla_timeout"),
            },
            {"#status": "status"},
        )

    def _stall(self) -> tasks.DynamoUpdateItem:
        """Keep the case visible when an integration keeps failing: flag it, then fail the
        execution (which can be redriven from the failed state)."""
        stall = tasks.DynamoUpdateItem(
            self.scope,
            "FlagStalled",
            table=self.t.table,
            result_path=DISCARD,
            key={"case_id": tasks.DynamoAttributeValue.from_string(_s("$.case.case_id"))},
            update_expression="SET stalled = :error, audit = list_append(audit, :entry)",
            expression_attribute_values={
                ":error": tasks.DynamoAttributeValue.from_string(_s("$.error.Error")),
                ":entry": self._audit("system", "stalled", "integration_failed"),
            },
        )
        stall.add_retry(errors=[sfn.Errors.ALL], **TASK_RETRY)
        stall.next(self.failed)
        return stall


# -- the committed rendering, for the local runtime ---------------------------------------------

TEMPLATE_FILE = Path(__file__).resolve().parents[1] / "escalation_state_machine.json"
PLACEHOLDERS = ("CasesTable", "NoticesTopicArn", "EventBusArn", "DispatchQueueUrl")
"""The ``${…}`` names the template leaves for the stack's resources (with ``${AWS::…}``
pseudo parameters): the Cases table's name, the notices topic's ARN, the bus's ARN and the
dispatch queue's URL."""


def render_template() -> str:
    """The definition with ``${Name}`` in place of every resource and pseudo parameter
    (``DefinitionSubstitutions``' syntax): a standalone stack whose targets are parameters."""
    app = cdk.App()
    stack = cdk.Stack(app, "EscalationTemplate")
    value = {name: cdk.CfnParameter(stack, name).value_as_string for name in PLACEHOLDERS}
    targets = Targets(
        table=dynamodb.Table.from_table_name(stack, "Cases", value["CasesTable"]),
        topic=sns.Topic.from_topic_arn(stack, "Notices", value["NoticesTopicArn"]),
        bus=events.EventBus.from_event_bus_arn(stack, "Bus", value["EventBusArn"]),
        dispatch_queue=sqs.Queue.from_queue_attributes(
            stack,
            "Dispatch",
            queue_arn=cdk.Fn.sub("arn:${AWS::Partition}:sqs:${AWS::Region}:${AWS::AccountId}:q"),
            queue_url=value["DispatchQueueUrl"],
        ),
    )
    machine = sfn.StateMachine(
        stack,
        "StateMachine",
        definition_body=sfn.DefinitionBody.from_chainable(Definition(stack, targets).start),
        comment=COMMENT,
    )
    definition = stack.resolve(machine.node.default_child.definition_string)
    return canonical(join_references(definition, {name: name for name in PLACEHOLDERS}))


def join_references(definition: Any, names: dict[str, str]) -> str:
    """A synthesised ``DefinitionString`` (a string or an ``Fn::Join``) as text, each
    ``Ref``/``Fn::GetAtt`` written ``${name}`` with ``names[logical id]``, pseudo parameters
    as ``${AWS::…}``."""
    if isinstance(definition, str):
        return definition
    separator, parts = definition["Fn::Join"]
    out = []
    for part in parts:
        if isinstance(part, str):
            out.append(part)
        elif "Ref" in part:
            ref = part["Ref"]
            out.append("${" + (ref if ref.startswith("AWS::") else names[ref]) + "}")
        else:
            out.append("${" + names[part["Fn::GetAtt"][0]] + "}")
    return separator.join(out)


def canonical(text: str) -> str:
    return json.dumps(json.loads(text), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def main() -> int:
    TEMPLATE_FILE.write_text(render_template(), encoding="utf-8")
    print(f"wrote {TEMPLATE_FILE}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
