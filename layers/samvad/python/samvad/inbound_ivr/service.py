"""The inbound IVR function's answers to the inbound flow (Amazon Connect ``ContactFlowEvent``).

``answer(event, ports)`` reads ``Parameters.action`` (``infra/connect/inbound_flow.py``) and
returns the flat map of strings Connect wants: the prompts of the caller's language plus the
action's ``result``/``value``/``menu``/``detail``. The caller's number is read from the
contact (``CustomerEndpoint``) only to register a grievance, check a status or send an SMS;
it is never part of an answer. A grievance is registered once per Connect contact: its
idempotency key is the ``ContactId``, so Connect's retries and replays make one case.
"""

from __future__ import annotations

import datetime as dt
import functools
import zoneinfo
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from samvad import resources
from samvad.grievances.rules import CONFIG_NAME as GRIEVANCES_CONFIG
from samvad.grievances.rules import GrievanceRules
from samvad.grievances.texts import category_label
from samvad.inbound_ivr.menus import LIST_KEY, MENUS_CONFIG, Menus, Option, menus_from_document
from samvad.inbound_ivr.prompts import (
    inbound_prompts,
    language_for_key,
    language_prompts,
    phrase,
    spelled,
)
from samvad.inbound_ivr.recorded import (
    PROMPTS_CONFIG,
    RecordedPrompts,
    menu_keys,
    prompts_from_document,
    status_keys,
)
from samvad.messages.languages import normalise_language, texts
from samvad.ports import ConfigReader
from samvad.schemes.model import SCHEMES_CONFIG, Scheme, schemes_from_document

INDIA = zoneinfo.ZoneInfo("Asia/Kolkata")
LISTED_STEPS = ("department", "service", "district", "office_list", "category")


@dataclass(frozen=True)
class IvrGrievance:
    """A grievance as the caller keyed it."""

    contact_id: str
    phone: str
    language: str
    department: str
    service: str
    office: str
    """The office's code; empty when the caller did not name one (the case goes to L2)."""
    category: str
    voice_message: str
    district: str = ""
    """The district the caller chose, when the office was chosen from its list."""
    """Where the recording will be (an S3 prefix ending in the contact id), or empty."""


@dataclass(frozen=True)
class Told:
    """A status as the desk tells it: the words, and what it is (for a recorded prompt)."""

    text: str
    state: str
    level: int


class GrievanceDesk(Protocol):
    def register(self, grievance: IvrGrievance) -> str | None:
        """The grievance's reference (the same for a replayed contact), or None if refused."""
        ...

    def status(self, keyed: str, phone: str, language: str) -> Told | str | None:
        """The status, to be spoken, of the caller's grievance whose reference the caller
        keyed (``keypad_digits``), or None when this number has no such grievance."""
        ...


class SchemeSender(Protocol):
    def send(self, phone: str, scheme: Scheme, language: str) -> None: ...


@dataclass(frozen=True)
class IvrPorts:
    config: ConfigReader
    grievances: GrievanceDesk
    scheme_sms: SchemeSender
    clock: Callable[[], dt.datetime]
    """Aware, UTC: schemes are current by the India date, recordings are filed by UTC's."""
    recordings: str = ""
    """``s3://<bucket>/<prefix>/CallRecordings``, the instance's recordings location."""
    prompt_ids: Mapping[str, str] | None = None
    data_bucket: str = ""
    """Where recorded prompts (``prompts/…``, config ``inbound/ivr_prompts``) are kept."""


def answer(event: Mapping[str, Any], ports: IvrPorts) -> dict[str, str]:
    details = event.get("Details") or {}
    contact = details.get("ContactData") or {}
    params = {k: str(v) for k, v in (details.get("Parameters") or {}).items()}
    action = params.get("action", "")
    if action == "languages":
        return language_prompts()
    if action == "prompts":
        return inbound_prompts(
            language_for_key(params.get("language_key")), prompt_ids=ports.prompt_ids
        )
    language = normalise_language(params.get("language") or "or")
    prompts = inbound_prompts(language, prompt_ids=ports.prompt_ids)
    act = _ACTIONS.get(action)
    if act is None:
        return prompts | {"result": "unknown_action"}
    return prompts | act(_Call(language, params, contact, ports))


@dataclass(frozen=True)
class _Call:
    language: str
    params: Mapping[str, str]
    contact: Mapping[str, Any]
    ports: IvrPorts

    @functools.cached_property
    def recorded(self) -> RecordedPrompts:
        document = self.ports.config.latest(PROMPTS_CONFIG)
        return prompts_from_document(document, self.ports.data_bucket)

    @property
    def spoken(self) -> str:
        """The language of spoken text: Odia's fixed sentences are recorded (Polly has no
        Odia voice), so its unrecorded variable text is in its fallback (Hindi by default)."""
        recorded_voice = texts(self.language)["voice"]["mode"] == "recorded"
        return self.recorded.spoken(self.language, recorded_voice)

    def played(self, prefix: str, keys: tuple[str, ...]) -> dict[str, str]:
        """``<prefix>_mode`` ``s3`` and ``<prefix>_media`` when recorded, else ``tts``."""
        media = self.recorded.media(self.language, keys)
        return (
            {f"{prefix}_mode": "s3", f"{prefix}_media": media}
            if media
            else {f"{prefix}_mode": "tts"}
        )

    @property
    def phone(self) -> str:
        return str((self.contact.get("CustomerEndpoint") or {}).get("Address") or "")

    def menus(self) -> Menus:
        return menus_from_document(self.ports.config.latest(MENUS_CONFIG))

    def options(self, menus: Menus, step: str) -> tuple[Option, ...]:
        """A listed step's options; a department's categories default to the grievance
        domain's list for it."""
        found = menus.options(step, self.params)
        if (
            step != "category"
            or found
            or menus.department(self.params.get("department", "")) is None
        ):
            return found
        rules = GrievanceRules.from_document(
            self.ports.config.latest(GRIEVANCES_CONFIG),
            self.ports.config.latest(resources.DEPARTMENTS_CONFIG),
        )
        codes = rules.categories_of(self.params.get("department", ""))
        return tuple(Option(code, category_label(code, self.spoken)) for code in codes)

    def schemes(self) -> list[Scheme]:
        today = self.ports.clock().astimezone(INDIA).date()
        found = schemes_from_document(self.ports.config.latest(SCHEMES_CONFIG))
        return [s for s in found if s.current(today)]

    def menu_text(self, options: tuple[Option, ...] | list[Option]) -> str:
        if not options:
            return phrase(self.spoken, "nothing_found")
        return " ".join(
            phrase(self.spoken, "option", name=o.name, key=n) for n, o in enumerate(options, 1)
        )


def _menu(call: _Call) -> dict[str, str]:
    step = call.params.get("step", "")
    played = call.played("menu", menu_keys(step, call.params))
    if step == "office":
        return {"menu": phrase(call.spoken, "office_hint")} | played
    return {"menu": call.menu_text(call.options(call.menus(), step))} | played


def _choose(call: _Call) -> dict[str, str]:
    step, key = call.params.get("step", ""), call.params.get("key", "").strip()
    menus = call.menus()
    if step == "office":
        if key == LIST_KEY:
            return {"result": "list"}
        office = menus.office_by_key(call.params.get("department", ""), key)
        if office is None:
            again = {"result": "again", "menu": phrase(call.spoken, "office_hint")}
            return again | call.played("menu", menu_keys(step, call.params))
        return {"result": "ok", "value": office.code}
    options = call.options(menus, step) if step in LISTED_STEPS else ()
    if key.isdigit() and 1 <= int(key) <= len(options):
        return {"result": "ok", "value": options[int(key) - 1].code}
    again = {"result": "again" if options else "give_up", "menu": call.menu_text(options)}
    return again | call.played("menu", menu_keys(step, call.params))


def _register(call: _Call) -> dict[str, str]:
    p = call.params
    contact_id = str(call.contact.get("InitialContactId") or call.contact.get("ContactId") or "")
    needed = (contact_id, call.phone, p.get("department"), p.get("service"), p.get("category"))
    if not all(needed):
        return {"result": "incomplete"}
    voice = ""
    if p.get("voice_message") == "true":
        voice = _recording_link(call.ports, contact_id)
    grievance = IvrGrievance(
        contact_id=contact_id, phone=call.phone, language=call.language,
        department=p["department"], service=p["service"], office=p.get("office", ""),
        category=p["category"], voice_message=voice, district=p.get("district", ""),
    )  # fmt: skip
    reference = call.ports.grievances.register(grievance)
    if reference is None:
        return {"result": "refused"}
    return {"result": "ok", "value": reference, "detail": spelled(call.spoken, reference)}


def _recording_link(ports: IvrPorts, contact_id: str) -> str:
    """Where Connect writes the contact's recording (``…/CallRecordings/YYYY/MM/DD/<contact
    id>_<time>.wav``), as the prefix known while the call is on; the object appears when the
    call ends. Without a configured location: ``connect-recording:<contact id>``."""
    if not ports.recordings:
        return f"connect-recording:{contact_id}"
    day = ports.clock().astimezone(dt.UTC)
    return f"{ports.recordings.rstrip('/')}/{day:%Y/%m/%d}/{contact_id}_"


def _status(call: _Call) -> dict[str, str]:
    keyed = "".join(ch for ch in call.params.get("reference", "") if ch.isdigit())
    if not keyed or not call.phone:
        return {"result": "not_found"}
    told = call.ports.grievances.status(keyed, call.phone, call.spoken)
    if not told:
        return {"result": "not_found"}
    if isinstance(told, Told):
        keys = status_keys(told.state, told.level)
        return {"result": "ok", "detail": told.text} | call.played("detail", keys)
    return {"result": "ok", "detail": told, "detail_mode": "tts"}


def _schemes(call: _Call) -> dict[str, str]:
    schemes = call.schemes()
    if not schemes:
        return {"result": "none"}
    options = _scheme_options(call, schemes)
    return {"result": "ok", "menu": call.menu_text(options), "menu_mode": "tts"}


def _scheme_options(call: _Call, schemes: list[Scheme]) -> list[Option]:
    return [Option(s.keyword, s.text("title", call.spoken)) for s in schemes]


def _scheme(call: _Call) -> dict[str, str]:
    schemes, key = call.schemes(), call.params.get("key", "").strip()
    if not (key.isdigit() and 1 <= int(key) <= len(schemes)):
        options = _scheme_options(call, schemes)
        return {"result": "again", "menu": call.menu_text(options), "menu_mode": "tts"}
    scheme = schemes[int(key) - 1]
    told = {"result": "ok", "value": scheme.keyword, "detail": scheme_words(scheme, call.spoken)}
    prompt = scheme.prompt.get(call.language)
    if prompt:
        return told | {"scheme_mode": "recorded", "scheme_prompt": prompt}
    return told | {"scheme_mode": "tts"}


def scheme_words(scheme: Scheme, language: str) -> str:
    return phrase(
        language, "scheme", title=scheme.text("title", language),
        summary=scheme.text("summary", language), eligibility=scheme.text("eligibility", language),
        where=scheme.text("where_to_apply", language),
    )  # fmt: skip


def _scheme_sms(call: _Call) -> dict[str, str]:
    keyword = call.params.get("scheme", "")
    scheme = next((s for s in call.schemes() if s.keyword == keyword), None)
    if scheme is None or not call.phone:
        return {"result": "not_found"}
    call.ports.scheme_sms.send(call.phone, scheme, call.language)
    return {"result": "ok"}


_ACTIONS: dict[str, Callable[[_Call], dict[str, str]]] = {
    "menu": _menu,
    "choose": _choose,
    "register": _register,
    "status": _status,
    "schemes": _schemes,
    "scheme": _scheme,
    "scheme_sms": _scheme_sms,
}
ACTIONS = frozenset(_ACTIONS) | {"languages", "prompts"}
"""Every ``action`` the inbound flow invokes the function with."""
