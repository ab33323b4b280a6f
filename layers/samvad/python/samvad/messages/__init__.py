"""Every citizen-facing text in Odia, Hindi and English: voice prompts, SMS, the web form.

Pure Python, no AWS. The texts live in ``catalog/<language>.json``; this package turns them
into what each channel needs and reads back what citizens answer.
"""

from samvad.messages.languages import (
    DEFAULT_LANGUAGE,
    LANGUAGES,
    catalog,
    format_date,
    normalise_language,
)
from samvad.messages.replies import Reply, parse_reply
from samvad.messages.sms import SENDER_ID, SmsError, SmsText, dlt_template, sms
from samvad.messages.voice import (
    CONNECT_KEYS,
    IvrAnswers,
    connect_prompts,
    ivr_answers,
    prompts_for_contact,
    recorded_prompts,
)

__all__ = [
    "CONNECT_KEYS",
    "DEFAULT_LANGUAGE",
    "LANGUAGES",
    "SENDER_ID",
    "IvrAnswers",
    "Reply",
    "SmsError",
    "SmsText",
    "catalog",
    "connect_prompts",
    "dlt_template",
    "format_date",
    "ivr_answers",
    "normalise_language",
    "parse_reply",
    "prompts_for_contact",
    "recorded_prompts",
    "sms",
]
