"""Per-function settings: each function reads only its own variables, and says what is missing."""

from pathlib import Path

import pytest

from samvad import resources
from samvad.settings import (
    FUNCTION_SETTINGS,
    DispatchSettings,
    EscalationSettings,
    ReportsSettings,
    SettingsError,
)

FUNCTIONS = Path(__file__).resolve().parents[2] / "functions"


def full(settings_class) -> dict[str, str]:
    env = {name: f"value-of-{name}" for name in settings_class.env_names()}
    return env | {resources.RETENTION_DAYS_ENV: "400"}


def test_missing_variables_are_named_in_one_error():
    """Given the dispatch environment without its links table and queue URL, When read, Then
    one error names the class and both variables."""
    env = full(DispatchSettings)
    del env[resources.LINKS.env_var], env[resources.DISPATCH_QUEUE_ENV]
    with pytest.raises(SettingsError) as raised:
        DispatchSettings.from_env(env)
    message = str(raised.value)
    assert message.startswith("DispatchSettings: environment variables ")
    assert resources.LINKS.env_var in message and resources.DISPATCH_QUEUE_ENV in message


def test_optional_variables_take_their_defaults_and_numbers_are_parsed():
    """Given only the required reports variables, Then the retention and link lifetime are
    the defaults; given them as text, Then they are read as numbers."""
    required = {
        name: "x" for name in ReportsSettings.env_names() if name != resources.RETENTION_DAYS_ENV
    }
    del required[resources.REPORTS_LINK_SECONDS_ENV]
    settings = ReportsSettings.from_env(required)
    assert (settings.retention_days, settings.link_seconds) == (400, 7 * 86400)
    settings = ReportsSettings.from_env(
        required | {resources.RETENTION_DAYS_ENV: "30", resources.REPORTS_LINK_SECONDS_ENV: "60"}
    )
    assert (settings.retention_days, settings.link_seconds) == (30, 60)


def test_a_number_that_is_not_one_is_named():
    env = full(DispatchSettings) | {resources.RETENTION_DAYS_ENV: "a year"}
    with pytest.raises(SettingsError, match="RETENTION_DAYS is not a number: 'a year'"):
        DispatchSettings.from_env(env)


def test_escalation_needs_only_its_tables():
    """Given the three tables escalation reads, Then that is enough (the rest is optional)."""
    env = {spec.env_var: spec.logical_id for spec in (resources.CASES, resources.VISITS)}
    env[resources.CONFIG.env_var] = "Config"
    settings = EscalationSettings.from_env(env)
    assert settings.cases_table == "Cases" and settings.state_machine_arn == ""


@pytest.mark.parametrize("function", sorted(FUNCTION_SETTINGS))
def test_every_function_with_settings_exists(function):
    assert (FUNCTIONS / function / "handler.py").is_file()


def test_no_function_is_given_every_table():
    """Each function's settings name only some of the stack's tables."""
    tables = {spec.env_var for spec in resources.TABLES}
    for settings in FUNCTION_SETTINGS.values():
        assert tables - set(settings.env_names())


def test_the_local_runtime_hides_what_only_other_functions_read():
    """Given the stack's whole environment, When the intake function runs locally, Then the
    variables only other functions read are unset, its own and unrelated ones are kept."""
    from samvad_dev.local.cloud import function_environment

    env = {name: "x" for s in FUNCTION_SETTINGS.values() for name in s.env_names()}
    env["AWS_ENDPOINT_URL"] = "http://127.0.0.1:5000"
    seen = function_environment("intake", env)
    assert seen[resources.VISITS.env_var] == "x" and seen["AWS_ENDPOINT_URL"].startswith("http")
    assert seen[resources.CONTACTS.env_var] is None and seen[resources.CASES.env_var] is None
    assert function_environment("workspace", env) == env  # no settings class: everything
