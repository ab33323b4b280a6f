"""Build the scheme-broadcast ports over the stack's tables and run the scheduled broadcast
(``functions/scheme_broadcast``; ``samvad schemes broadcast`` runs one notice by hand)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from samvad import clock
from samvad.settings import SchemeBroadcastSettings


def broadcast_ports(settings: SchemeBroadcastSettings) -> tuple[Any, Any]:
    """The broadcast's ``SchemePorts`` and its progress (both over the Contacts table)."""
    from samvad.adapters.config import DynamoConfig
    from samvad.adapters.contacts import DynamoContacts
    from samvad.adapters.rate_limits import DynamoRateLimiter
    from samvad.adapters.scheme_subscribers import DynamoSubscribers
    from samvad.adapters.sms import SnsSms
    from samvad.dispatch.wiring import current_policy
    from samvad.schemes.service import SchemePorts

    subscribers = DynamoSubscribers(settings.contacts_table)
    ports = SchemePorts(
        config=DynamoConfig(settings.config_table),
        sms=SnsSms(),
        policy=current_policy(settings.config_table),
        hasher=lambda phone: phone,  # a broadcast sends to stored numbers; it hashes none
        subscribers=subscribers,
        opt_outs=DynamoContacts(settings.contacts_table),
        clock=clock.now,
        limiter=DynamoRateLimiter(settings.rate_limits_table),
        ledger=subscribers,
        sleep=clock.sleep,
    )
    return ports, subscribers


def run_scheduled(settings: SchemeBroadcastSettings, stop: Callable[[], bool]) -> dict:
    from samvad.schemes.service import scheduled_broadcasts

    ports, progress = broadcast_ports(settings)
    return scheduled_broadcasts(ports, progress, stop)
