"""The ``$default`` stage of an HTTP API: throttled, with JSON access logs that name no citizen.

Used by the officials' workspace API and the departments' push API.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

import aws_cdk as cdk
import jsii
from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_apigatewayv2 as apigwv2
from aws_cdk import aws_logs as logs
from constructs import Construct

from infra.constructs.function import retained_logs
from infra.constructs.storage import DataStore

COMMON_LOG_FIELDS = {
    "requestId": "$context.requestId",
    "ip": "$context.identity.sourceIp",
    "requestTime": "$context.requestTime",
    "routeKey": "$context.routeKey",
    "status": "$context.status",
    "responseLength": "$context.responseLength",
    "latencyMs": "$context.responseLatency",
    "authorizerError": "$context.authorizer.error",
    "integrationError": "$context.integrationErrorMessage",
}
"""What every access log line holds: no path, query or body (no citizen data)."""


def http_api(scope: Construct, name: str, *, description: str) -> apigwv2.HttpApi:
    """An HTTP API ``Api`` named ``<stack>-<name>``, without a default stage (``throttled_stage``
    makes it)."""
    return apigwv2.HttpApi(
        scope,
        "Api",
        api_name=f"{cdk.Stack.of(scope).stack_name}-{name}",
        description=description,
        create_default_stage=False,
    )


def throttled_stage(
    scope: Construct,
    api: apigwv2.HttpApi,
    *,
    store: DataStore,
    rate: int,
    burst: int,
    caller_field: Mapping[str, str],
) -> tuple[apigwv2.HttpStage, logs.LogGroup]:
    """``api``'s ``$default`` stage (``Stage``, auto-deployed), throttled at ``rate`` requests a
    second with ``burst``, logging to ``AccessLogs`` (encrypted with the data key, retained)
    the common fields plus ``caller_field`` (who called, e.g. the JWT's ``sub``)."""
    access_logs = retained_logs(scope, "AccessLogs", store.key)
    fields = {**COMMON_LOG_FIELDS, **caller_field}
    stage = apigwv2.HttpStage(
        scope,
        "Stage",
        http_api=api,
        stage_name="$default",
        auto_deploy=True,
        throttle=apigwv2.ThrottleSettings(rate_limit=rate, burst_limit=burst),
        access_log_settings=_AccessLogs(
            apigwv2.LogGroupLogDestination(access_logs),
            apigw.AccessLogFormat.custom(json.dumps(fields)),
        ),
    )
    return stage, access_logs


@jsii.implements(apigwv2.IAccessLogSettings)
class _AccessLogs:
    """``IAccessLogSettings`` is a jsii interface, not a struct: Python implements it."""

    def __init__(
        self, destination: apigwv2.IAccessLogDestination, format: apigw.AccessLogFormat
    ) -> None:
        self._destination, self._format = destination, format

    @property
    def destination(self) -> apigwv2.IAccessLogDestination:
        return self._destination

    @property
    def format(self) -> apigw.AccessLogFormat:
        return self._format
