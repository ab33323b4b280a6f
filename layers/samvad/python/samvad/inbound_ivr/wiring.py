"""Build the inbound IVR's ports from its settings (once per warm function, the notify
policy read per invocation) and answer one Connect invocation."""

from __future__ import annotations

import functools
from dataclasses import replace
from typing import Any

from samvad import clock
from samvad.adapters.config import DynamoConfig
from samvad.adapters.grievance_references import DynamoReferenceIndex
from samvad.adapters.sms import SnsSms
from samvad.dispatch.wiring import current_policy
from samvad.inbound_ivr.desk import DomainDesk
from samvad.inbound_ivr.service import IvrPorts, answer
from samvad.schemes.service import SchemeSms
from samvad.settings import InboundIvrSettings


@functools.cache
def _config(table: str) -> DynamoConfig:
    return DynamoConfig(table)


def ivr_ports(settings: InboundIvrSettings) -> IvrPorts:
    from samvad.adapters.grievances import DirectoryOffices
    from samvad.grievances.catalogue import departments
    from samvad.grievances.wiring import grievance_ports

    policy = current_policy(settings.config_table)
    grievances = grievance_ports(
        grievances_table=settings.grievances_table,
        visits_table=settings.visits_table,
        cases_table=settings.cases_table,
        config_table=settings.config_table,
        rate_limits_table=settings.rate_limits_table,
        event_bus=settings.event_bus,
        phone_hash_secret_id=settings.phone_hash_secret_id,
    )
    offices = DirectoryOffices(
        settings.directory_table, lambda: sorted(departments(grievances.config))
    )
    grievances = replace(grievances, policy=policy, offices=offices)
    return IvrPorts(
        config=_config(settings.config_table),
        grievances=DomainDesk(grievances, DynamoReferenceIndex(settings.grievances_table)),
        scheme_sms=SchemeSms(_sms(), policy),
        clock=clock.now,
        recordings=settings.recordings,
        data_bucket=settings.data_bucket,
    )


@functools.cache
def _sms() -> SnsSms:
    return SnsSms()


def connect_invocation(event: dict[str, Any], settings: InboundIvrSettings) -> dict[str, str]:
    return answer(event, ivr_ports(settings))
