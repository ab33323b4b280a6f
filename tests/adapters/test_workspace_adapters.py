"""The workspace's adapters on moto: the append-only audit log, call-desk attempts, cases
filtered by scope, presigned POSTs bound to one key/type/size, Cognito users and sign-in."""

from __future__ import annotations

import base64
import datetime as dt
import json

import boto3
import pytest

from samvad import resources
from samvad.adapters.audit import DynamoAuditLog, DynamoCallAttempts
from samvad.adapters.cognito import CognitoIdentity, CognitoUsers, create_pool
from samvad.adapters.workspace import DynamoCaseViews, S3DepartmentUploads
from samvad.workspace.ports import BadCursor, CaseFilter
from samvad.workspace.roles import ROLES, official_from_claims


def _table(names, spec):
    return names.table(spec)


def test_audit_entries_are_appended_and_read_newest_first(stack):
    log = DynamoAuditLog(_table(stack, resources.AUDIT), boto3.client("dynamodb"))
    now = dt.datetime.now(dt.UTC)
    for n in range(3):
        at = (now - dt.timedelta(seconds=10 - n)).isoformat(timespec="seconds")
        log.append({"at": at, "who": f"o{n}", "what": "atr", "target": "case-1", "from": "ip"})
    log.append({"at": now.isoformat(), "who": "o0", "what": "atr", "target": "case-1"})
    entries = log.recent(now.date(), days=1, limit=10)
    assert [e["who"] for e in entries] == ["o0", "o2", "o1", "o0"]
    assert log.recent(now.date(), days=1, limit=2) == entries[:2]


def test_a_call_attempt_number_is_stored_once(stack):
    attempts = DynamoCallAttempts(_table(stack, resources.AUDIT), boto3.client("dynamodb"))
    assert attempts.record_as("2026-11-30#cmo", "v1", 1, {"outcome": "busy"})
    assert attempts.record_as("2026-11-30#cmo", "v1", 2, {"outcome": "no_answer"})
    assert not attempts.record_as("2026-11-30#cmo", "v1", 2, {"outcome": "busy"})  # taken
    assert attempts.record_as("2026-11-30#cmo", "v2", 1, {"outcome": "busy"})
    found = attempts.for_list("2026-11-30#cmo")
    assert [a["outcome"] for a in found["v1"]] == ["busy", "no_answer"]
    today = dt.date(2026, 11, 30)
    assert DynamoAuditLog(_table(stack, resources.AUDIT)).recent(today, 1, 10) == []  # not audit


def _cases(stack):
    from samvad.adapters.cases import DynamoCases

    client = boto3.client("dynamodb")
    table = _table(stack, resources.CASES)
    cases = DynamoCases(table, client)
    for n, (case_id, department, district, office, status) in enumerate((
        ("a", "health", "Khordha", "K1", "open"), ("b", "health", "Puri", "P1", "open"),
        ("c", "revenue", "Khordha", "K2", "overdue"), ("d", "health", "Khordha", "K1", "resolved"),
        ("e", "health", "", "", "open"),  # no district or office: in no such list
    )):  # fmt: skip
        assert cases.create(
            {"case_id": case_id, "department": department, "district": district,
             "office_code": office, "status": status, "level": 1,
             "opened_at": f"2026-11-2{n}T10:00:00+00:00", "audit": [],
             "waits": {"atr": {"token": "secret-task-token"}}}
        )  # fmt: skip
    return DynamoCaseViews(table, client), client, table


def _all(views, scope, status="", limit=2, filters=None):
    found, cursor, pages = [], "", 0
    while True:
        page, cursor = views.page(scope, filters or CaseFilter(status=status), limit, cursor)
        assert len(page) == limit or not cursor, "a page is full unless it is the last"
        found.extend(page)
        pages += 1
        if not cursor:
            return found, pages


def test_case_lists_query_the_scopes_index_page_by_page(stack, monkeypatch):
    """Given cases in two districts and departments, when each scope pages through its list,
    then it gets exactly its cases, newest first, from a Query on its index (never a Scan),
    without the waiting task tokens."""
    views, client, _ = _cases(stack)
    calls = []
    real = client._make_api_call
    monkeypatch.setattr(
        client, "_make_api_call", lambda op, kw: calls.append((op, kw.get("IndexName"))) or
        real(op, kw),
    )  # fmt: skip
    found, pages = _all(views, {"district": "Khordha"})
    assert [c["case_id"] for c in found] == ["d", "c", "a"] and pages == 2
    assert "waits" not in found[0] and "audit" not in found[0]
    found, _ = _all(views, {"department": "health", "district": "Khordha"})
    assert [c["case_id"] for c in found] == ["d", "a"]
    found, _ = _all(views, {"office_code": "K1"}, status="open")
    assert [c["case_id"] for c in found] == ["a"]
    found, _ = _all(views, {"department": "health"})
    assert [c["case_id"] for c in found] == ["e", "d", "b", "a"]
    found, pages = _all(views, {}, limit=1)  # the state: by status, one after another
    assert sorted(c["case_id"] for c in found) == ["a", "b", "c", "d", "e"]
    found, _ = _all(views, {}, status="overdue")
    assert [c["case_id"] for c in found] == ["c"]
    assert {op for op, _ in calls} == {"Query"}
    assert {index for _, index in calls} == {
        "by_district", "by_office", "by_department", "by_status",
    }  # fmt: skip


def test_a_cursor_cannot_move_a_list_into_another_scope(stack):
    """Given a cursor from Puri's list, when it is used on Khordha's, then it is refused."""
    views, _, _ = _cases(stack)
    _, cursor = views.page({"department": "health"}, CaseFilter(), 1)
    assert cursor
    with pytest.raises(BadCursor):
        views.page({"district": "Khordha"}, CaseFilter(), 1, cursor)
    with pytest.raises(BadCursor):
        views.page({"district": "Khordha"}, CaseFilter(), 1, "bm90IGpzb24")
    forged = base64.urlsafe_b64encode(
        json.dumps({"district": {"S": "Puri"}, "case_id": {"S": "b"},
                    "opened_at": {"S": "2026-11-21T10:00:00+00:00"}}).encode()
    ).decode()  # fmt: skip
    with pytest.raises(BadCursor):
        views.page({"district": "Khordha"}, CaseFilter(), 1, forged)
    with pytest.raises(BadCursor):  # a filter that moves the list to an office's index
        views.page({"district": "Khordha"}, CaseFilter(office_code="K1"), 1, forged)
    _, office_cursor = views.page({"district": "Khordha"}, CaseFilter(office_code="K1"), 1)
    with pytest.raises(BadCursor):  # nor does an office's cursor open a district's list
        views.page({"district": "Khordha"}, CaseFilter(), 1, office_cursor)


def _many_cases(stack, count=240):
    """``count`` cases in Khordha (one every hour), varied enough for every filter: the
    levels cycle 1-4, every 7th is overdue, every 10th is at office K2 (else K1), every
    25th is for the service "bsky", every 30th is held by collector-khordha."""
    from samvad.adapters.cases import DynamoCases

    client = boto3.client("dynamodb")
    table = _table(stack, resources.CASES)
    cases = DynamoCases(table, client)
    start = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
    made = []
    for n in range(count):
        case = {
            "case_id": f"m{n:03d}", "department": "health", "district": "Khordha",
            "office_code": "K2" if n % 10 == 0 else "K1",
            "service": "bsky" if n % 25 == 0 else "opd",
            "status": "overdue" if n % 7 == 0 else "open", "level": n % 4 + 1,
            "holder": {"official_id": "collector-khordha" if n % 30 == 0 else f"head-{n}"},
            "opened_at": (start + dt.timedelta(hours=n)).isoformat(), "audit": [],
        }  # fmt: skip
        assert cases.create(case)
        made.append(case)
    return DynamoCaseViews(table, client), client, made


FILTERS = [
    (CaseFilter(level=2), lambda c: c["level"] == 2),
    (CaseFilter(status="overdue"), lambda c: c["status"] == "overdue"),
    (CaseFilter(not_status="overdue"), lambda c: c["status"] != "overdue"),
    (CaseFilter(service="bsky"), lambda c: c["service"] == "bsky"),
    (CaseFilter(office_code="K2"), lambda c: c["office_code"] == "K2"),
    (CaseFilter(holder="collector-khordha"),
     lambda c: c["holder"]["official_id"] == "collector-khordha"),
    (CaseFilter(not_holder="collector-khordha"),
     lambda c: c["holder"]["official_id"] != "collector-khordha"),
    (CaseFilter(level=1, status="overdue", office_code="K1"),
     lambda c: c["level"] == 1 and c["status"] == "overdue" and c["office_code"] == "K1"),
    (CaseFilter(office_code="K9"), lambda c: False),
]  # fmt: skip


def test_filters_are_in_the_query_so_every_page_but_the_last_is_full(stack, monkeypatch):
    """Given 240 cases in one district and a filter that keeps some of them, When a reader of
    the district, the department or the state pages through with 7 a page, Then every page but
    the last holds 7 cases, and together they are exactly the cases the filter keeps, newest
    first, each once."""
    from samvad.adapters import workspace as adapter

    monkeypatch.setattr(adapter, "FETCH", 20)  # several queries a page, as with many cases
    views, _, made = _many_cases(stack)
    for scope in ({"district": "Khordha"}, {"department": "health"}, {}):
        for filters, keep in FILTERS:
            newest = sorted(made, key=lambda c: c["opened_at"], reverse=True)
            expected = [c["case_id"] for c in newest if keep(c)]
            found, _ = _all(views, scope, limit=7, filters=filters)
            ids = [c["case_id"] for c in found]
            assert sorted(ids) == sorted(expected), (scope, filters)
            assert len(set(ids)) == len(ids), (scope, filters)
            if scope:  # one partition: newest first throughout (the state: status by status)
                assert ids == expected, (scope, filters)


def test_an_office_filter_queries_the_offices_index(stack, monkeypatch):
    """Given a district's reader asking for one office's cases, When the page is read, Then it
    is one Query on the office's index with the district as a filter, not the district's."""
    views, client, _ = _many_cases(stack, count=30)
    calls = []
    real = client._make_api_call
    monkeypatch.setattr(
        client, "_make_api_call", lambda op, kw: calls.append((op, kw)) or real(op, kw)
    )
    page, cursor = views.page({"district": "Khordha"}, CaseFilter(office_code="K2"), 10)
    assert [c["case_id"] for c in page] == ["m020", "m010", "m000"] and cursor == ""
    [(op, query)] = calls
    assert op == "Query" and query["IndexName"] == "by_office"
    assert query["ExpressionAttributeValues"][":p"] == {"S": "K2"}
    assert "FilterExpression" in query and {"S": "Khordha"} in (
        query["ExpressionAttributeValues"].values()
    )


def test_a_filter_that_matches_little_reads_a_bounded_amount_per_page(stack, monkeypatch):
    """Given 240 cases of which only the oldest passes the filter, When the first page of 5
    is read, Then the page stops after the bounded number of queries with a cursor (a short
    page, never an unbounded request), and following the cursors finds it."""
    from samvad.adapters import workspace as adapter

    monkeypatch.setattr(adapter, "MAX_QUERIES", 2)
    monkeypatch.setattr(adapter, "FETCH", 50)
    views, _, _ = _many_cases(stack)
    filters = CaseFilter(holder="collector-khordha", level=1, service="bsky")  # m000 only
    page, cursor = views.page({"district": "Khordha"}, filters, 5)
    assert page == [] and cursor  # 100 read, none kept
    found, pages = [], 1
    while cursor:
        more, cursor = views.page({"district": "Khordha"}, filters, 5, cursor)
        found += [c["case_id"] for c in more]
        pages += 1
    assert found == ["m000"] and pages == 3


def test_a_case_with_an_empty_scope_field_is_stored_and_reads_back_whole(stack):
    from samvad.adapters.cases import DynamoCases

    _, client, table = _cases(stack)
    item = client.get_item(TableName=table, Key={"case_id": {"S": "e"}})["Item"]
    assert "district" not in item and "office_code" not in item  # an index key cannot be ""
    case = DynamoCases(table, client).get("e")
    assert case["district"] == "" and case["office_code"] == "" and case["department"] == "health"


def test_a_presigned_post_is_bound_to_its_key_type_and_size(stack):
    uploads = S3DepartmentUploads(stack.bucket, _table(stack, resources.UPLOADS))
    post = uploads.presign("uploads/health/day.csv", "text/csv", 1000)
    policy = json.loads(base64.b64decode(post["fields"]["policy"]))
    assert ["content-length-range", 1, 1000] in policy["conditions"]
    assert ["eq", "$key", "uploads/health/day.csv"] in policy["conditions"]
    assert {"Content-Type": "text/csv"} in policy["conditions"]
    assert post["fields"]["key"] == "uploads/health/day.csv"


def test_an_uploads_first_bytes_are_read_with_a_ranged_get(stack):
    """Given an attachment uploaded under a case, When its first bytes are asked for, Then
    only those come back (a ranged GetObject: the workspace role's read on ``cases/``), and
    a key never uploaded gives None."""
    uploads = S3DepartmentUploads(stack.bucket, _table(stack, resources.UPLOADS))
    key = "cases/case-1/atr/L1-site.pdf"
    boto3.client("s3").put_object(Bucket=stack.bucket, Key=key, Body=b"%PDF-1.7\n" + b"x" * 1000)
    assert uploads.first_bytes(key, 8) == b"%PDF-1.7"
    assert uploads.first_bytes("cases/case-1/atr/L1-none.pdf", 8) is None


def test_users_are_created_updated_and_sign_in_gives_their_claims(aws):
    client = boto3.client("cognito-idp")
    pool, app = create_pool(client, "test")
    users = CognitoUsers(pool, client)
    users.ensure_groups(ROLES)
    users.ensure_groups(ROLES)  # twice: nothing changes
    user = {"username": "dc.k", "role": "sp", "official_id": "x", "district": "Khordha"}
    assert users.upsert(user, password="Samvad-test-2026") == "created"
    user.update(role="collector", official_id="collector-khordha")
    assert users.upsert(user) == "updated"
    identity = CognitoIdentity(pool, app, client)
    assert identity.sign_in("dc.k", "wrong-Password-1") is None
    assert identity.sign_in("nobody", "Samvad-test-2026") is None
    signed = identity.sign_in("dc.k", "Samvad-test-2026")
    assert signed["official_id"] == "collector-khordha"
    payload = signed["id_token"].split(".")[1]
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    assert claims["cognito:groups"] == ["collector"]  # moved out of the old group
    official = official_from_claims(claims)
    assert (official.role, official.scope.district) == ("collector", "Khordha")


@pytest.mark.parametrize("missing", ["official_id"])
def test_a_user_without_an_official_cannot_act(aws, missing):
    client = boto3.client("cognito-idp")
    pool, app = create_pool(client, "test")
    users = CognitoUsers(pool, client)
    users.ensure_groups(ROLES)
    users.upsert({"username": "a.b", "role": "auditor", missing: ""}, password="Samvad-test-2026")
    token = CognitoIdentity(pool, app, client).sign_in("a.b", "Samvad-test-2026")["id_token"]
    payload = token.split(".")[1]
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    from samvad.workspace.errors import Forbidden

    with pytest.raises(Forbidden):
        official_from_claims(claims)


def test_users_load_creates_then_updates_from_a_file(aws, tmp_path, monkeypatch, capsys):
    from samvad.cli import main

    client = boto3.client("cognito-idp")
    pool, _ = create_pool(client, "test")
    monkeypatch.setenv("USER_POOL_ID", pool)
    path = tmp_path / "users.csv"
    path.write_text(
        "username,email,role,official_id,department,district,office_code\n"
        "dc.khordha,dc@od.gov.in,collector,collector-khordha,,Khordha,\n"
        "ag.odisha,ag@od.gov.in,auditor,auditor,,,\n"
    )
    assert main(["users", "load", str(path)]) == 0
    assert json.loads(capsys.readouterr().out) == {"users": 2, "created": 2, "updated": 0}
    assert main(["users", "load", str(path)]) == 0
    assert json.loads(capsys.readouterr().out) == {"users": 2, "created": 0, "updated": 2}
    groups = client.admin_list_groups_for_user(UserPoolId=pool, Username="dc.khordha")
    assert [g["GroupName"] for g in groups["Groups"]] == ["collector"]


def test_the_sign_in_trigger_appends_to_the_audit_table(stack):
    """Given the Post Authentication trigger's handler on the stack's Audit table, When
    Cognito invokes it, then retries it with the same event, Then the audit log holds one
    sign-in, no phone number; another user's sign-in is an entry of its own."""
    from tests.conftest import load_handler
    from tests.unit.test_workspace_signins import event

    handler = load_handler("signin_audit")

    class Context:
        function_name = "signin_audit"
        memory_limit_in_mb = 256
        invoked_function_arn = "arn:aws:lambda:ap-south-1:123456789012:function:signin"
        aws_request_id = "test"

    for _ in range(2):
        assert handler.lambda_handler(event(), Context())["triggerSource"]
    today = dt.datetime.now(dt.UTC).date()
    found = DynamoAuditLog(_table(stack, resources.AUDIT)).recent(today, 1, 10)
    assert [(e["what"], e["who"], e["from"]) for e in found] == [
        ("sign_in", "collector-khordha", "hosted_ui")
    ]
    other = event(user_name="sec.health", **{"custom:official_id": "sec-health"})
    handler.lambda_handler(other, Context())
    found = DynamoAuditLog(_table(stack, resources.AUDIT)).recent(today, 1, 10)
    assert sorted(e["who"] for e in found) == ["collector-khordha", "sec-health"]
    assert "9876543210" not in json.dumps(found)


def test_a_hand_back_is_one_schedule_that_puts_the_entry_on_the_call_list(stack):
    """Given a no-answer's return to the desk, When it is handed back twice under one name
    (a repeated request), Then one schedule in the dispatch group calls DynamoDB's PutItem
    on the CallLists table at the retry time (no function, not the dispatch queue), with
    the entry and no phone number; and that request, made as Scheduler makes it, puts the
    call on the official's list, where the desk's adapter reads it."""
    from samvad.adapters.calldesk import PUT_ITEM_TARGET, SchedulerRequeue
    from samvad.adapters.workspace import DynamoCallListEntries

    scheduler, dynamodb = boto3.client("scheduler"), boto3.client("dynamodb")
    table = _table(stack, resources.CALL_LISTS)
    requeue = SchedulerRequeue(table, "arn:aws:iam::1:role/s", 30, scheduler)
    entry = {"list_id": "2026-11-30#cmo", "visit_key": "v1", "language": "or", "attempt": 2,
             "earlier": 0, "returned_at": "2026-11-30T08:00:00Z"}  # fmt: skip
    at = dt.datetime(2026, 11, 30, 8, 0, tzinfo=dt.UTC)
    for _ in range(2):
        requeue.later(entry, at, "calldesk#v1#2")
    requeue.later({**entry, "visit_key": "v2"}, at, "calldesk#v2#2")
    found = scheduler.list_schedules(GroupName=resources.DISPATCH_SCHEDULE_GROUP)["Schedules"]
    assert len(found) == 2
    one = scheduler.get_schedule(Name=found[0]["Name"], GroupName=resources.DISPATCH_SCHEDULE_GROUP)
    assert one["ScheduleExpression"] == "at(2026-11-30T08:00:00)"
    assert one["Target"]["Arn"] == PUT_ITEM_TARGET
    assert "+91" not in json.dumps(one, default=str)
    request = json.loads(one["Target"]["Input"])
    assert request["TableName"] == table
    assert int(request["Item"]["expires_at"]["N"]) == int(at.timestamp()) + 30 * 86400
    dynamodb.put_item(**request)  # what Scheduler does at the time
    dynamodb.put_item(**request)  # and again, if it retries: the same entry
    [listed] = DynamoCallListEntries(table, dynamodb).entries("2026-11-30#cmo")
    assert listed["visit_key"] in ("v1", "v2") and listed["attempt"] == 2
    assert listed["earlier"] == 0 and listed["language"] == "or"


def test_an_attempt_number_is_stored_once(stack):
    attempts = DynamoCallAttempts(_table(stack, resources.AUDIT))
    assert attempts.record_as("2026-11-30#cmo", "v1", 1, {"outcome": "busy"})
    assert not attempts.record_as("2026-11-30#cmo", "v1", 1, {"outcome": "no_answer"})
    assert [a["outcome"] for a in attempts.for_list("2026-11-30#cmo")["v1"]] == ["busy"]


def test_the_connect_bridge_rings_the_official_with_the_citizen_as_a_contact_attribute():
    """Given Connect, When a call is bridged, Then the outbound contact dials the official
    into the bridge flow from the contact centre's number, the citizen's number only in the
    flow's attribute, and a repeated reference reuses the same client token."""
    from botocore.stub import ANY, Stubber

    from samvad.adapters.calldesk import BRIDGE_ATTRIBUTE, ConnectCallBridge

    client = boto3.client("connect", region_name="ap-south-1", aws_access_key_id="x",
                          aws_secret_access_key="x")  # fmt: skip
    bridge = ConnectCallBridge("inst-1", "flow-bridge", "+911800000000", client)
    tokens = []
    with Stubber(client) as stub:
        for _ in range(2):
            stub.add_response(
                "start_outbound_voice_contact", {"ContactId": "c-1"},
                {"InstanceId": "inst-1", "ContactFlowId": "flow-bridge",
                 "DestinationPhoneNumber": "+919700000001", "SourcePhoneNumber": "+911800000000",
                 "Attributes": {BRIDGE_ATTRIBUTE: "+919876543210"},
                 "ClientToken": ANY},
            )  # fmt: skip
        client.meta.events.register(
            "before-parameter-build.connect.StartOutboundVoiceContact",
            lambda params, **_: tokens.append(params["ClientToken"]),
        )
        assert bridge.bridge("+919700000001", "+919876543210", "2026-11-30#cmo#v1#1") == "c-1"
        assert bridge.bridge("+919700000001", "+919876543210", "2026-11-30#cmo#v1#1") == "c-1"
    assert len(tokens) == 2 and tokens[0] == tokens[1]


def test_the_sms_fallback_is_one_schedule_onto_the_dispatch_queue(stack):
    """Given the desk's SMS fallback, When it is handed over twice under one name (a repeated
    request), Then one schedule in the dispatch group targets the dispatch queue as the
    given role, with the dispatch message as its input (no phone number) and the deferred
    dead letters; sent as Scheduler sends it, notify reads it as an SMS survey."""
    from samvad.adapters.calldesk import SchedulerDispatchHandOff
    from samvad.dispatch.service import Contact

    scheduler = boto3.client("scheduler")
    queue = "arn:aws:sqs:ap-south-1:123456789012:dispatch"
    hand_off = SchedulerDispatchHandOff(queue, "arn:aws:iam::1:role/d", "arn:dlq", scheduler)
    message = {"kind": "survey", "visit_key": "v1", "channel": "sms", "attempt": 4,
               "run_date": "2026-11-30", "caller": "cmo", "language": "or"}  # fmt: skip
    at = dt.datetime(2026, 11, 30, 12, 1, tzinfo=dt.UTC)
    for _ in range(2):
        hand_off.later(message, at, "calldesk-sms#v1")
    [found] = scheduler.list_schedules(GroupName=resources.DISPATCH_SCHEDULE_GROUP)["Schedules"]
    one = scheduler.get_schedule(Name=found["Name"], GroupName=resources.DISPATCH_SCHEDULE_GROUP)
    assert one["ScheduleExpression"] == "at(2026-11-30T12:01:00)"
    assert one["ActionAfterCompletion"] == "DELETE"
    target = one["Target"]
    assert (target["Arn"], target["RoleArn"]) == (queue, "arn:aws:iam::1:role/d")
    assert target["DeadLetterConfig"] == {"Arn": "arn:dlq"}
    assert json.loads(target["Input"]) == message and "+91" not in target["Input"]
    contact = Contact.from_message(json.loads(target["Input"]))
    assert (contact.key, contact.channel, contact.attempt) == ("v1", "sms", 4)
