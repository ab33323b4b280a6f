"""The clerk's notices on moto: they reach an official's subscription (as ``samvad directory
load`` makes it) and not the stage's own queue, whose subscription drops ``sender = clerk``."""

from __future__ import annotations

import json

import boto3

from samvad.adapters.notices import SnsNotices


def _queue(name: str, topic: str, policy: dict | None) -> str:
    sqs, sns = boto3.client("sqs"), boto3.client("sns")
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]
    attributes = {"FilterPolicy": json.dumps(policy)} if policy else {}
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn["QueueArn"], Attributes=attributes)
    return url


def _bodies(url: str) -> list[dict]:
    messages = boto3.client("sqs").receive_message(QueueUrl=url, MaxNumberOfMessages=10)
    return [json.loads(m["Body"]) for m in messages.get("Messages", [])]


def test_a_notice_reaches_the_holder_and_not_the_stage_queue(stack):
    """Given the stack's notices topic with the stage queue's subscription and an official's,
    When the clerk sends a notice, Then only the official's queue receives it, with the text
    for its protocol and the attributes officials filter on; the state machine's own task
    messages (no ``sender``) still reach the stage queue."""
    topic = stack.notices_topic_arn
    official = _queue("official-head-khu", topic,
                      {"official_id": ["head-khu"], "task": ["await_atr"]})  # fmt: skip
    texts = {"default": "Samvad case … +91 94•••••345", "sms": "sms text", "email": "long"}
    SnsNotices(topic).send("head-khu", texts, "Samvad grievance case-v1 (L1): notice",
                           {"notice": "notice", "case_id": "case-v1"})  # fmt: skip
    [delivered] = _bodies(official)
    assert delivered["Message"] == texts["default"]
    assert delivered["MessageAttributes"]["sender"]["Value"] == "clerk"
    assert delivered["MessageAttributes"]["notice"]["Value"] == "notice"
    stage = boto3.client("sqs").get_queue_url(QueueName=stack.tasks_queue)["QueueUrl"]
    assert _bodies(stage) == []
    boto3.client("sns").publish(
        TopicArn=topic, Message="await_atr:notice|token|{}",
        MessageAttributes={"task": {"DataType": "String", "StringValue": "await_atr"}},
    )  # fmt: skip
    assert [b["Message"] for b in _bodies(stage)] == ["await_atr:notice|token|{}"]
    assert _bodies(official) == []  # a task carries no official_id: no official receives it
