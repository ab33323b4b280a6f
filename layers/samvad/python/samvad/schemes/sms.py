"""Scheme SMS: two DLT templates per language, filled like every Samvad SMS.

``scheme``: one notice (title, summary, who can apply, where, until when); ``scheme_list``:
the current keywords, the answer to a ``SCHEME`` request naming none or an unknown one.
``dlt_form`` gives the text to register on the DLT portal (each variable ``{#var#}``); the
ids go into the notify settings as ``scheme.<language>`` and ``scheme_list.<language>``.
"""

from __future__ import annotations

import re

from samvad.messages.languages import normalise_language
from samvad.messages.sms import SmsText, count_segments, fit_variable
from samvad.schemes.model import Scheme

TEMPLATES = {
    "scheme": {
        "en": (
            "Govt of Odisha scheme {title}: {summary} Who: {eligibility}. Apply: {where}. "
            "Till {until}."
        ),
        "hi": "ओडिशा सरकार योजना {title}: {summary} कौन: {eligibility}। आवेदन: {where}। {until} तक।",
        "or": "ଓଡ଼ିଶା ସରକାର ଯୋଜନା {title}: {summary} କିଏ: {eligibility}। ଆବେଦନ: {where}। {until} ପର୍ଯ୍ୟନ୍ତ।",
    },
    "scheme_list": {
        "en": "Govt of Odisha schemes: {keywords}. Send SCHEME and a name for details.",
        "hi": "ओडिशा सरकार की योजनाएँ: {keywords}। विवरण के लिए SCHEME और नाम भेजें।",
        "or": "ଓଡ଼ିଶା ସରକାରଙ୍କ ଯୋଜନା: {keywords}। ବିବରଣୀ ପାଇଁ SCHEME ଓ ନାମ ପଠାନ୍ତୁ।",
    },
}  # fmt: skip
_SLOT = re.compile(r"\{([a-z_]+)\}")


def dlt_form(template: str, language: str) -> str:
    """The text to register on the DLT portal."""
    return _SLOT.sub("{#var#}", TEMPLATES[template][normalise_language(language)])


def _fill(template: str, language: str, **values: str) -> SmsText:
    code = normalise_language(language)
    body = TEMPLATES[template][code].format(**{k: fit_variable(v) for k, v in values.items()})
    is_unicode, segments = count_segments(body)
    return SmsText(body, template, code, is_unicode, segments)


def scheme_sms(scheme: Scheme, language: str) -> SmsText:
    return _fill(
        "scheme", language, title=scheme.text("title", language),
        summary=scheme.text("summary", language),
        eligibility=scheme.text("eligibility", language),
        where=scheme.text("where_to_apply", language), until=f"{scheme.valid_to:%d-%m-%Y}",
    )  # fmt: skip


def scheme_list_sms(keywords: list[str], language: str) -> SmsText:
    return _fill("scheme_list", language, keywords=", ".join(keywords) or "-")
