"""Shared by the escalation tests: a directory, SLA documents, visits and FeedbackPoor events."""

from __future__ import annotations

from samvad import resources
from samvad.adapters.config import DynamoConfig
from samvad.adapters.events import EventBridgePublisher

CITIZEN_PHONE = "+919437012345"
DIRECTORY = {
    "officials": {
        "head-khu": {"name": "Dr S. Mohanty", "title": "CDMO", "phone": "+919876500001"},
        "dc-khurda": {"name": "Collector Khurda", "email": "dc.khurda@example.in"},
        "sec-health": {"name": "Health Secretary", "email": "sec.health@example.in"},
        "cmo": {"name": "CM's office grievance cell", "email": "cmo@example.in"},
    },
    "office_heads": {"HLT-KHU-001": "head-khu"},
    "district": {"Khurda": "dc-khurda"},
    "department": {"health": "sec-health"},
    "cm_office": "cmo",
}
HOLDERS = {1: "head-khu", 2: "dc-khurda", 3: "sec-health", 4: "cmo"}
DAY = 1 / 86400  # time factor: one day lasts one second


def sla(l1=60, l2=60, l3=60, l4=60, confirm=60, renotify=600) -> dict:
    """An SLA document in seconds (days at a factor of one day per second)."""
    return {
        "time_factor": DAY,
        "default": {"1": l1, "2": l2, "3": l3, "4": l4},
        "confirm_days": confirm,
        "overdue_renotify_days": renotify,
    }


def feedback_poor(visit_key: str) -> dict:
    """A FeedbackPoor detail as docs/contracts.md defines it."""
    return {
        "visit_key": visit_key,
        "run_date": "2026-11-23",
        "channel": "ivr_call",
        "language": "or",
        "rating": 1,
        "work_done": False,
        "bribe_asked": True,
        "wants_officer": True,
        "poor": True,
        "reasons": ["low_rating", "money_asked"],
        "department": "health",
        "service": "OPD",
        "office_code": "HLT-KHU-001",
        "office_name": "CHC Khurda",
        "district": "Khurda",
        "official_id": "clerk-17",
        "visit_date": "2026-11-22",
        "received_at": "2026-11-23T06:00:00Z",
    }


def setup_stage(cloud, sla_document: dict) -> None:
    config = DynamoConfig(cloud.env[resources.CONFIG.env_var], cloud.client("dynamodb"))
    if config.latest(resources.ESCALATION_DIRECTORY_CONFIG) is None:
        config.publish(resources.ESCALATION_DIRECTORY_CONFIG, DIRECTORY)
    config.publish(resources.ESCALATION_SLA_CONFIG, sla_document)


def put_visit(cloud, visit_key: str, phone: str = CITIZEN_PHONE) -> None:
    cloud.client("dynamodb").put_item(
        TableName=cloud.env[resources.VISITS.env_var],
        Item={"visit_key": {"S": visit_key}, "phone": {"S": phone}},
    )


def publish(cloud, detail_type: str, detail: dict) -> None:
    EventBridgePublisher(cloud.names.bus, cloud.client("events")).publish(detail_type, detail)
