"""``samvad serve``: the officials' workspace on the local stack, with a demo day loaded.

Starts the local cloud, loads a demo day (intake, the 09:00 sampling, a day of contacts,
cases opened from the poor feedback and assigned by the real state machine), creates a
Cognito user pool on the emulator with one demo user per role bound to real directory
entries, and serves the workspace function over HTTP. Each request becomes an API Gateway
HTTP API (payload 2.0) event; ``/api/*`` routes other than the session are first checked as
the JWT authorizer would (``samvad_dev.local.authorizer``). A background pump fires the
one-time schedules that are due (the call desk's hand-backs) and delivers the intake and
escalation queues, as Scheduler and Lambda's event sources would.

The human callers' lists (channel ``official_call``) are the call desk's: the sampler
gives the dispatcher none of them. The pump also delivers the dispatch queue, so a desk's
SMS fallback (after the last unanswered call) is sent as on AWS.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import signal
import sys
import tempfile
import threading
import urllib.parse
from collections import Counter
from dataclasses import asdict, dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from samvad import resources
from samvad_dev.local.authorizer import JwtAuthorizer, Refused, as_http_api_claims
from samvad_dev.local.cloud import LocalCloud
from samvad_dev.local.dispatching import fire_schedules, pump_dispatch
from samvad_dev.local.reports import pump_reports
from samvad_dev.local.sms_requests import pump_sms_requests
from samvad_dev.local.voice_messages import pump_voice_messages

IST = dt.timezone(dt.timedelta(hours=5, minutes=30))
PUMP_SECONDS = 1.0
UNAUTHORIZED = json.dumps({"message": "Unauthorized"})
ERASURE_ROUTES = {"/api/erasures": "erasure"}
"""Paths the stack's HTTP API routes to the erasure function (``infra.constructs.erasure``)."""


@dataclass
class DemoUser:
    username: str
    password: str
    role: str
    official_id: str
    scope: dict[str, str] = field(default_factory=dict)


def _progress(message: str) -> None:
    print(f"samvad serve: {message}", file=sys.stderr, flush=True)


# -- the demo day -----------------------------------------------------------------------------


def load_day(cloud: LocalCloud, visits: int, seed: int, folder: Path) -> list[dict]:
    """Yesterday's visits ingested, today's sample drawn and contacted; the poor feedback."""
    from samvad_dev.demo.dispatch import contact_day
    from samvad_dev.demo.synthetic import generate_visits, write_day
    from samvad_dev.local.flows import ingest_files, sample_day

    today = dt.datetime.now(IST).date()
    synthetic = generate_visits(visits, seed=seed, day=today - dt.timedelta(days=1))
    for department, path in write_day(synthetic, folder):
        for report in ingest_files(cloud, [path], department):
            _progress(f"{path.name}: {report['accepted']} accepted, {report['rejected']} rejected")
    run = sample_day(cloud, today)
    _progress(f"sampled {run['sampled']} for {today}: {run['by_caller']}")
    contacts, events = contact_day(cloud, today, seed=today.toordinal(), desk=False)
    cloud.simulated_now = None  # the workspace runs on the real clock
    poor = contacts["poor_feedback_events"]
    _progress(f"contacted: {contacts['feedback']} feedback, {poor} poor")
    return [e["detail"] for e in events if e["detail-type"] == resources.FEEDBACK_POOR]


def _callers(cloud: LocalCloud, seed: int) -> list[dict]:
    """Citizens who call the inbound IVR (issue 11): their grievances, also ``grievance``."""
    from samvad_dev.demo.inbound_ivr import run_inbound_ivr

    return run_inbound_ivr(cloud, seed, dt.datetime.now(IST).date()).cases


def _inbound(cloud: LocalCloud, seed: int, visits: int) -> list[dict]:
    """Inbound grievances by SMS and the web form (issue 11): ``type: grievance`` cases."""
    from samvad_dev.demo.inbound import simulate_inbound

    return simulate_inbound(cloud, seed, visits).cases


def directory_for(poor: list[dict], collector_district: str) -> dict:
    """Holders for every office, district and department in the poor feedback, except the
    office heads of ``collector_district``: its cases go straight to its collector."""
    officials: dict[str, dict] = {}

    def official(official_id: str, name: str) -> str:
        n = len(officials)
        officials[official_id] = {
            "name": name,
            "phone": f"+9197000{n:05d}",
            "email": f"{official_id}@example.gov.in",
        }
        return official_id

    heads, districts, departments = {}, {}, {}
    for detail in poor:
        office, district = detail.get("office_code", ""), detail.get("district", "")
        department = detail.get("department", "")
        if office and district != collector_district and office not in heads:
            heads[office] = official(f"head-{office}".lower(), f"Head of {office}")
        if district and district not in districts:
            districts[district] = official(
                f"collector-{district}".lower(), f"Collector, {district}"
            )
        if department and department not in departments:
            departments[department] = official(f"sec-{department}", f"Secretary, {department}")
    return {
        "officials": officials,
        "office_heads": heads,
        "district": districts,
        "department": departments,
        "cm_office": official("cmo", "Chief Minister's Office"),
    }


def open_cases(cloud: LocalCloud, poor: list[dict], directory: dict) -> int:
    """Publish the directory and real-time SLAs, open a case per poor feedback, and pump the
    state machine until every case awaits its holder's report."""
    from samvad.adapters.config import DynamoConfig
    from samvad.adapters.events import EventBridgePublisher
    from samvad.escalation.model import case_id_for
    from samvad_dev.local.escalation import local_ports

    config = DynamoConfig(cloud.env[resources.CONFIG.env_var], cloud.client("dynamodb"))
    config.publish(resources.ESCALATION_DIRECTORY_CONFIG, directory)
    config.publish(resources.ESCALATION_SLA_CONFIG, {"time_factor": 1.0})
    bus = EventBridgePublisher(cloud.names.bus, cloud.client("events"))
    for detail in poor:
        if detail.get("case_type") != "grievance":  # inbound cases are opened already
            bus.publish(resources.FEEDBACK_POOR, detail)
    ids = sorted({case_id_for(d["visit_key"]) for d in poor})
    ports = local_ports(cloud)

    def assigned() -> bool:
        found = [ports.cases.get(i) for i in ids]
        return all(c and (c.get("waits") or {}).get("atr") for c in found)

    cloud.escalation.run_until(assigned, timeout=300, poll=0.3)
    return len(ids)


def demo_users(poor: list[dict], directory: dict, collector_district: str) -> list[DemoUser]:
    """One user per role, each bound to an entry of the directory or the sampling plan."""
    department = Counter(d["department"] for d in poor).most_common(1)[0][0] if poor else "health"
    head_office = next(iter(directory["office_heads"]), "")

    def user(role: str, official_id: str, **scope: str) -> DemoUser:
        return DemoUser(
            username=f"demo-{role.replace('_', '-')}",
            password=f"Samvad-{role.replace('_', '-')}-2026",
            role=role,
            official_id=official_id,
            scope={k: v for k, v in scope.items() if v},
        )

    return [
        user("cmo", "cmo"),
        user("minister", f"minister-{department}", department=department),
        user("secretary", f"sec-{department}", department=department),
        user(
            "collector",
            f"collector-{collector_district}".lower(),
            district=collector_district,
        ),
        user("sp", "sp-cuttack", district="Cuttack", department="police"),
        user("office_head", f"head-{head_office}".lower(), office_code=head_office),
        user("caller", "contact-centre"),
        user("data_officer", f"data-{department}", department=department),
        user("auditor", "auditor"),
        user("grievance_officer", "grievance-officer"),
    ]


def create_pool(cloud: LocalCloud, users: list[DemoUser]) -> tuple[str, str]:
    from samvad.adapters.cognito import CognitoUsers, create_pool
    from samvad.workspace.roles import ROLES

    client = cloud.client("cognito-idp")
    pool_id, client_id = create_pool(client, f"samvad-{cloud.names.stage}-officials")
    admin = CognitoUsers(pool_id, client)
    admin.ensure_groups(ROLES)
    for demo in users:
        admin.upsert(
            {"username": demo.username, "role": demo.role, "official_id": demo.official_id,
             **demo.scope},
            password=demo.password,
        )  # fmt: skip
    return pool_id, client_id


# -- the HTTP front: API Gateway's HTTP API, locally ------------------------------------------


class WorkspaceFront:
    """``with WorkspaceFront(cloud, authorizer, port) as url:`` serves the workspace."""

    def __init__(self, cloud: LocalCloud, authorizer: JwtAuthorizer, port: int = 0):
        self.cloud = cloud
        self.authorizer = authorizer
        self.port = port
        self.lock = threading.Lock()  # one invocation at a time: invocations set the env
        self._server: ThreadingHTTPServer | None = None
        self._stop = threading.Event()
        self.clock = lambda: dt.datetime.now(dt.UTC)
        """When schedules fire: the real clock (tests move it)."""

    def event(self, method: str, raw_path: str, headers: dict[str, str], body: str) -> dict:
        path, _, query = raw_path.partition("?")
        return {
            "version": "2.0",
            "routeKey": "$default",
            "rawPath": path,
            "rawQueryString": query,
            "queryStringParameters": dict(urllib.parse.parse_qsl(query)) or None,
            "headers": headers,
            "requestContext": {
                "accountId": "123456789012",
                "apiId": "local",
                "domainName": headers.get("host", "127.0.0.1"),
                "http": {
                    "method": method,
                    "path": path,
                    "protocol": "HTTP/1.1",
                    "sourceIp": "127.0.0.1",
                    "userAgent": headers.get("user-agent", ""),
                },
                "requestId": "local",
                "routeKey": "$default",
                "stage": "$default",
            },
            "body": body,
            "isBase64Encoded": False,
        }

    def handle(self, method: str, raw_path: str, headers: dict[str, str], body: str):
        """``(status, headers, body)``: the authorizer's 401, or the function's response."""
        event = self.event(method, raw_path, headers, body)
        path = event["rawPath"]
        if path.startswith("/api/") and not (method == "POST" and path == "/api/session"):
            try:
                claims = self.authorizer.claims(headers.get("authorization"))
            except Refused:
                return 401, {"content-type": "application/json"}, UNAUTHORIZED
            event["requestContext"]["authorizer"] = {
                "jwt": {"claims": as_http_api_claims(claims), "scopes": None}
            }
        with self.lock:  # the HTTP API's routes: erasures to their own function
            response = self.cloud.invoke(ERASURE_ROUTES.get(path, "workspace"), event)
        return response["statusCode"], response.get("headers") or {}, response.get("body", "")

    def pump_once(self) -> None:
        """One round of what AWS does by itself: the one-time schedules that are due, fired
        on the real clock (the call desk's hand-backs return calls to officials' lists),
        then the intake, escalation, report-tally, SMS-request, voice-message and dispatch
        queues → their handlers, as Lambda's event sources would."""
        try:  # a schedule that cannot fire must not stop the queues
            fire_schedules(self.cloud, self.clock())
        except Exception as error:
            _progress(f"schedules: {type(error).__name__}: {error}")
        self.cloud.pump()
        self.cloud.escalation.pump()
        pump_reports(self.cloud)
        pump_sms_requests(self.cloud)  # the SMS the workspace asks for
        pump_voice_messages(self.cloud)  # IVR voice messages into their cases
        pump_dispatch(self.cloud)  # the call desk's SMS fallbacks, once their schedule fired

    def pump_forever(self) -> None:
        while not self._stop.wait(PUMP_SECONDS):
            try:
                with self.lock:
                    self.pump_once()
            except Exception as error:  # keep serving; the next round retries
                _progress(f"pump: {type(error).__name__}: {error}")

    def __enter__(self) -> str:
        front = self

        class Handler(BaseHTTPRequestHandler):
            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode("utf-8", errors="replace")
                headers = {k.lower(): v for k, v in self.headers.items()}
                status, out_headers, payload = front.handle(self.command, self.path, headers, body)
                data = payload.encode()
                self.send_response(status)
                for name, value in out_headers.items():
                    if name.lower() != "content-length":
                        self.send_header(name, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PUT = do_DELETE = _handle

            def log_message(self, *args: Any) -> None:  # no request log: bodies hold tokens
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        threading.Thread(target=self.pump_forever, daemon=True).start()
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()


def serve(port: int, visits: int, seed: int) -> int:
    """Load the day, print the one JSON line, serve until interrupted (SIGINT or SIGTERM)."""
    from samvad_dev.demo.synthetic import staff_directory

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with LocalCloud(stage="serve") as cloud, tempfile.TemporaryDirectory() as folder:
        poor = load_day(cloud, visits, seed, Path(folder))
        poor += _inbound(cloud, seed, visits)
        poor += _callers(cloud, seed)
        districts = Counter(d.get("district", "") for d in poor if d.get("district"))
        collector_district = districts.most_common(1)[0][0] if districts else "Khordha"
        directory = directory_for(poor, collector_district)
        directory["officials"] = staff_directory(seed) | directory["officials"]  # named staff
        opened = open_cases(cloud, poor, directory)
        pump_reports(cloud)  # the report counters the dashboard reads
        _progress(f"{opened} cases open; collector's district: {collector_district}")
        users = demo_users(poor, directory, collector_district)
        pool_id, client_id = create_pool(cloud, users)
        cloud.env.update(
            {resources.USER_POOL_ID_ENV: pool_id, resources.USER_POOL_CLIENT_ID_ENV: client_id}
        )
        authorizer = JwtAuthorizer(cloud.endpoint, pool_id, client_id)
        with WorkspaceFront(cloud, authorizer, port) as url:
            line = {
                "url": url,
                "aws_endpoint": cloud.endpoint,
                "users": [asdict(u) for u in users],
            }
            print(json.dumps(line, ensure_ascii=False), flush=True)
            with contextlib.suppress(KeyboardInterrupt):
                stop.wait()
    return 0
