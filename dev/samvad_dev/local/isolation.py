"""Each server-mode ``LocalCloud`` is an AWS account of its own in moto's shared state.

moto keeps every backend in process-wide dicts (``BackendDict``: account → region →
backend), and its threaded server serves those same dicts. In a pytest worker the local
runtime therefore shares them with every other test of the process: a ``mock_aws()`` that
starts or stops calls ``BackendDict.reset()``, which wiped every account — the live cloud's
too — and the Step Functions engine made its Task calls (``boto_client_for``) in-process
whenever some mock was active, or to ``localhost:$MOTO_PORT`` (whichever cloud set it last)
otherwise. Executions run in threads that outlive the test that started them.

So, once ``install``ed:

- a server answers every request in its own account (``x-moto-account-id``, set on each
  request by ``_AccountApp``), whatever the caller's credentials — the engine's ``"ak"``
  included; a new cloud gets a new account (``new_account``), never moto's default one,
  which ``mock_aws()`` tests and the in-process cloud use;
- ``BackendDict.reset()`` spares the accounts of live servers (``own``); a cloud resets
  only its own account, when it stops (``release``);
- an engine thread remembers the server through which its execution was started
  (``engine_clock._Thread.server``, inherited as the clock is) and its Task calls go to that
  server's endpoint, whatever mock is active in the process.

In-process clouds (``LocalCloud(in_process=True)``, the demo) own no account, and their
executions, not started through a server, call moto in-process as before — through the same
``_engine_client``, which every ``LocalCloud`` installs.
"""

from __future__ import annotations

import itertools
import threading
from dataclasses import dataclass
from typing import Any

_FIRST_ACCOUNT = 100_000_000_000  # 12 digits; moto's default account is 123456789012
_accounts = itertools.count(1)
_owned: set[str] = set()
_request = threading.local()
_installed = False


@dataclass(frozen=True)
class Served:
    """What a request or an execution was served by: its server's account and endpoint."""

    account: str
    endpoint: str


def new_account() -> str:
    """A fresh account id for one cloud (never reused in the process)."""
    return str(_FIRST_ACCOUNT + next(_accounts))


def serving() -> Served | None:
    """The server whose request this thread is handling, if any."""
    return getattr(_request, "served", None)


def start_server(account: str, port: int) -> Any:
    """moto's ``ThreadedMotoServer`` on 127.0.0.1:``port``, answering in ``account``
    (owned from now on: no reset but ``release`` clears it)."""
    from moto.moto_server.werkzeug_app import (
        DomainDispatcherApplication,
        MotoRequestHandler,
        create_backend_app,
    )
    from moto.server import ThreadedMotoServer
    from werkzeug.serving import make_server

    install()
    served = Served(account, f"http://127.0.0.1:{port}")

    class Server(ThreadedMotoServer):
        def _server_entry(self) -> None:  # moto's, with the app wrapped
            app = _AccountApp(DomainDispatcherApplication(create_backend_app), served)
            self._server = make_server(
                self._ip_address, self._port, app, True, request_handler=MotoRequestHandler
            )
            self._server_ready_event.set()
            self._server.serve_forever()

    own(account)
    server = Server(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    return server


class _AccountApp:
    """WSGI middleware: every request lands in ``served.account``, and the thread handling
    it knows its server (an execution started there remembers it)."""

    def __init__(self, app: Any, served: Served) -> None:
        self.app = app
        self.served = served

    def __call__(self, environ: dict, start_response: Any) -> Any:
        environ["HTTP_X_MOTO_ACCOUNT_ID"] = self.served.account
        _request.served = self.served
        try:
            return self.app(environ, start_response)
        finally:
            _request.served = None


def own(account: str) -> None:
    """``BackendDict.reset()`` (any ``mock_aws()``'s start and stop) leaves ``account`` be."""
    install()
    _owned.add(account)


def release(account: str) -> None:
    """Reset and drop ``account``'s backends: the cloud that owned it has stopped. (Reset
    first, as moto does: S3's bucket names are one namespace across accounts.)"""
    from moto.core.base_backend import BackendDict, backend_lock

    _owned.discard(account)
    with backend_lock:
        for backends in BackendDict._instances:
            dropped = dict.pop(backends, account, None)
            if dropped is not None:
                dropped.reset()


def install() -> None:
    """Patch moto (once): resets spare owned accounts, engine threads remember their server
    and call it back."""
    global _installed
    if _installed:
        return
    from moto.core.base_backend import BackendDict

    from samvad_dev.local import engine_clock

    BackendDict.reset = classmethod(_reset_unowned)  # type: ignore[method-assign, assignment]
    engine_clock.install()
    _call_back_the_server()
    _installed = True


def _reset_unowned(cls: Any) -> None:
    """moto's ``BackendDict.reset``, but accounts owned by a live server keep their state."""
    from moto.core.base_backend import BackendDict, backend_lock

    with backend_lock:
        for backends in BackendDict._instances:
            for account in [a for a in dict.keys(backends) if a not in _owned]:
                dict.pop(backends, account).reset()
        BackendDict._instances[:] = [b for b in BackendDict._instances if dict.__len__(b)]


def _call_back_the_server() -> None:
    """Point the engine's ``boto_client_for`` (imported by name in each integration's module)
    at ``_engine_client``."""
    import sys

    from moto.stepfunctions.parser.asl.utils import boto_client

    original = boto_client.boto_client_for
    boto_client.boto_client_for = _engine_client  # modules imported from now on
    for module in list(sys.modules.values()):  # … and those already imported
        if getattr(module, "boto_client_for", None) is original:
            module.boto_client_for = _engine_client


_clients: dict[tuple[str, str, str], Any] = {}
_clients_lock = threading.Lock()
_session: Any = None


def _engine_client(region: str, service: str, state_credentials: Any = None) -> Any:
    """The client a Task state calls its service with: as moto's, but to the server of the
    execution's thread when it has one, made once per endpoint, region and service, one
    at a time (botocore's clients are thread-safe; making them is not), and with no proxies.
    moto's looks its proxies up in ``os.environ``, iterating it, while the local runtime
    sets and unsets each function's variables around its invocations on the main thread:
    the iteration then raised ``KeyError`` now and again, and the case stalled."""
    import boto3
    from botocore.config import Config
    from moto.core.models import botocore_stubber
    from moto.settings import moto_server_port
    from moto.stepfunctions.parser.asl.utils.boto_client import TimeoutSeconds

    from samvad_dev.local import engine_clock

    served = engine_clock.server_of(threading.current_thread())
    if served is not None:
        endpoint: str | None = served.endpoint
    elif botocore_stubber.enabled:
        endpoint = None  # moto in-process intercepts the call
    else:
        endpoint = f"http://localhost:{moto_server_port()}"
    global _session
    key = (endpoint or "in-process", region, service)
    with _clients_lock:
        client = _clients.get(key)
        if client is None:
            _session = _session or boto3.session.Session()
            client = _clients[key] = _session.client(
                service_name=service,
                region_name=region,
                endpoint_url=endpoint,
                aws_access_key_id="ak",
                aws_secret_access_key="sk",
                config=Config(
                    parameter_validation=False,
                    retries={"max_attempts": 0, "total_max_attempts": 1},
                    connect_timeout=TimeoutSeconds.DEFAULT_TIMEOUT_SECONDS,
                    read_timeout=TimeoutSeconds.DEFAULT_TIMEOUT_SECONDS,
                    proxies={},
                ),
            )
        return client
