"""Message catalogs, DLT SMS, reply parsing, Connect prompts and the web form's HTML."""

from __future__ import annotations

import json
import re
import unicodedata

import pytest
from markupsafe import escape

from samvad import messages
from samvad.messages import (
    CONNECT_KEYS,
    LANGUAGES,
    Reply,
    SmsError,
    catalog,
    connect_prompts,
    dlt_template,
    format_date,
    ivr_answers,
    normalise_language,
    parse_reply,
    prompts_for_contact,
    recorded_prompts,
    sms,
)
from samvad.messages.sms import TEMPLATES, count_segments, fit_variable, template_variables
from samvad.messages.web import (
    CONTENT_SECURITY_POLICY,
    PAGES,
    FormAnswer,
    FormError,
    parse_form,
    render_form,
    render_page,
)

ODIA = re.compile("[\u0b00-\u0b7f]")
DEVANAGARI = re.compile("[\u0900-\u0963\u0966-\u097f]")  # the danda (।) is shared with Odia
SLOT = re.compile(r"\{([a-z_]+)\}")
VISIT = {"office_name": "Tahasil Office, Khordha", "service": "Income certificate",
         "visit_date": "2026-11-20"}  # fmt: skip
SMS_VALUES = {
    "office": "Tahasil Office, Khordha", "service": "Income certificate",
    "date": "2026-11-20", "link": "https://sv.od.gov.in/f/Ab3dE9x", "case": "case-7f3a9c2e",
    "ref": "OD-7K3M9Q", "state": "awaiting your confirmation", "level": "2",
    "action": "action report filed", "code": "493817",
}  # fmt: skip
FORM = "application/x-www-form-urlencoded"


def key_paths(value, prefix=""):
    """Every key path of a nested catalog; lists count by their length."""
    if isinstance(value, dict):
        return {p for k, v in value.items() for p in key_paths(v, f"{prefix}.{k}")} | {prefix}
    if isinstance(value, list):
        return {f"{prefix}[{len(value)}]"}
    return {prefix}


def leaves(value):
    if isinstance(value, dict):
        for item in value.values():
            yield from leaves(item)
    elif isinstance(value, list):
        for item in value:
            yield from leaves(item)
    else:
        yield value


# -- catalogs --------------------------------------------------------------------------------


def test_every_language_has_the_same_keys():
    """Given the three catalogs, When their key paths are compared, Then they are identical
    (a text missing in one language would fail a citizen at run time)."""
    english = key_paths(catalog("en"))
    assert len(english) > 100
    for language in LANGUAGES:
        assert key_paths(catalog(language)) == english, language


@pytest.mark.parametrize(("language", "script"), [("or", ODIA), ("hi", DEVANAGARI)])
def test_odia_and_hindi_texts_are_written_in_their_own_script(language, script):
    """Given the Odia or Hindi catalog, When its web, page, SMS and prompt texts are read, Then
    every one is in that language's script, with none of the other's."""
    texts = catalog(language)
    other = DEVANAGARI if script is ODIA else ODIA
    for section in ("web", "pages", "sms", "prompts"):
        for text in leaves(texts[section]):
            if text.startswith("samvad-"):  # a prompt name
                continue
            assert script.search(text), (section, text)
            assert not other.search(text), (section, text)


def test_english_texts_have_no_indic_script():
    """Given the English catalog, Then no text is in Odia or Devanagari (except the names of
    the other languages on the language switch)."""
    texts = catalog("en")
    for section in ("web", "pages", "sms", "prompts", "visit_detail"):
        for text in leaves(texts[section]):
            assert not ODIA.search(text) and not DEVANAGARI.search(text), text


def test_variables_agree_across_languages():
    """Given SMS templates and visit details, Then each uses the same variables in every
    language, so one call site fills all three."""
    for section in ("sms", "visit_detail"):
        for key in catalog("en")[section]:
            found = {lang: set(SLOT.findall(catalog(lang)[section][key])) for lang in LANGUAGES}
            assert found["or"] == found["hi"] == found["en"], (section, key, found)


def test_odia_prompts_can_be_recorded_and_the_visit_is_spoken_by_an_indian_english_voice():
    """Given Odia, which Polly cannot speak, Then every Odia prompt is a fixed script with a
    prompt name (no variables to fill), and the only spoken text (the visit detail) holds no
    Odia words."""
    odia = catalog("or")
    assert odia["voice"]["mode"] == "recorded"
    for key, entry in odia["prompts"].items():
        assert entry["prompt"] == f"samvad-or-{key}"
        assert not SLOT.search(entry["text"]) and ODIA.search(entry["text"])
    for text in odia["visit_detail"].values():
        assert not ODIA.search(text)
    scripts = recorded_prompts("or")
    assert len(scripts) == len(odia["prompts"]) == 16
    assert scripts["samvad-or-q_rating"].startswith("କାର୍ଯ୍ୟାଳୟରେ")


def test_tts_prompts_only_use_the_caller_name_variable():
    """Given Hindi and English text-to-speech prompts, Then they use no variable other than
    ``caller_name`` (office and service are in the visit detail)."""
    for language in ("hi", "en"):
        for entry in catalog(language)["prompts"].values():
            assert set(SLOT.findall(entry["text"])) <= {"caller_name"}


def test_catalog_returns_a_copy():
    """Given the cached catalog, When a caller changes what it got, Then the next reader still
    sees the shipped text."""
    mine = catalog("hi")
    mine["web"]["submit"] = "changed"
    assert catalog("hi")["web"]["submit"] == "भेजें"


@pytest.mark.parametrize(
    ("written", "code"),
    [
        ("or", "or"), ("OD", "or"), ("ori", "or"), ("Odia", "or"), ("ORIYA", "or"),
        ("ଓଡ଼ିଆ", "or"), ("ଓଡ଼ିଆ", "or"), ("ଓଡିଆ", "or"), ("or-IN", "or"),
        ("hi", "hi"), ("hin", "hi"), ("Hindi", "hi"), ("हिन्दी", "hi"), ("हिंदी", "hi"),
        ("hi-IN", "hi"), ("hi_in", "hi"), ("en", "en"), ("en-IN", "en"), ("English", "en"),
        ("en_GB", "en"), (" eng ", "en"),
        (None, "or"), ("", "or"), ("   ", "or"), ("fr", "or"), ("klingon", "or"), ("te-IN", "or"),
    ],
)  # fmt: skip
def test_normalise_language(written, code):
    """Given a language as departments and citizens write it, When normalised, Then it is one
    of or/hi/en, Odia when unknown or blank."""
    assert normalise_language(written) == code


def test_dates_are_written_with_the_language_month_names():
    """Given an ISO visit date, When formatted, Then each language names the month its way;
    a value that is not a date is kept as given."""
    assert format_date("2026-11-20", "en") == "20 November 2026"
    assert format_date("2026-03-05", "hi") == "5 मार्च 2026"
    assert format_date("2026-11-20", "or") == "20 ନଭେମ୍ବର 2026"
    assert format_date("last week", "en") == "last week"
    assert format_date(None, "en") == ""


# -- SMS -------------------------------------------------------------------------------------


def _values(template, language, **overrides):
    values = {**SMS_VALUES, **overrides}
    return {name: values[name] for name in template_variables(template, language)}


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("template", TEMPLATES)
def test_the_sent_text_is_the_registered_template_with_its_variables(template, language):
    """Given a template and language, When filled, Then the body matches the DLT-registered
    form with each ``{#var#}`` replaced by at most 30 characters, and Odia/Hindi go as
    Unicode."""
    registered = dlt_template(template, language)
    assert "{#var#}" in registered or not template_variables(template, language)
    assert not SLOT.search(registered.replace("{#var#}", ""))
    message = sms(template, language, **_values(template, language))
    pattern = re.escape(registered).replace(re.escape("{#var#}"), "(.{1,30})")
    assert re.fullmatch(pattern, message.body), message.body
    assert message.unicode is (language != "en")
    assert (message.template, message.language) == (template, language)


@pytest.mark.parametrize("language", ["or", "hi"])
@pytest.mark.parametrize("template", TEMPLATES)
def test_odia_and_hindi_sms_stay_within_three_segments_even_with_the_longest_variables(
    template, language
):
    """Given every variable at its 30-character limit in the local script, When filled, Then
    the SMS costs at most three UCS-2 segments."""
    longest = {"office": "ଖ" * 45, "service": "स" * 45, "case": "C" * 40, "link": "h" * 30}
    message = sms(template, language, **_values(template, language, **longest))
    assert message.unicode and message.segments <= 3, (len(message.body), message.body)


def test_english_survey_sms_is_gsm7_in_two_segments():
    """Given the English survey, When filled, Then it is GSM-7 in two segments; curly quotes
    in an office name are straightened so they do not force Unicode."""
    message = sms("survey", "en", **_values("survey", "en", office="St. Mary’s “Clinic”"))
    assert (message.unicode, message.segments) == (False, 2)
    assert 'St. Mary\'s "Clinic"' in message.body
    assert "4 Y" in message.body and "STOP" in message.body and " M " in message.body


def test_the_survey_sms_asks_for_the_codes_the_reply_parser_reads():
    """Given each language's survey SMS, When its own example reply is parsed, Then it is
    feedback with rating 4 and work done."""
    for language in LANGUAGES:
        body = sms("survey", language, **_values("survey", language)).body
        assert "4 Y" in body and "STOP" in body
        assert parse_reply("4 Y") == Reply("feedback", rating=4, work_done=True)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Tahasil Office, Khordha", "Tahasil Office, Khordha"),
        ("Community Health Centre, Balugaon Block", "Community Health Centre, Balu…"),
        ("a\nb\tc  d", "a b c d"),
        ("ଖୋର୍ଦ୍ଧା ତହସିଲ କାର୍ଯ୍ୟାଳୟ, ଭୁବନେଶ୍ୱର", "ଖୋର୍ଦ୍ଧା ତହସିଲ କାର୍ଯ୍ୟାଳୟ, ଭୁ…"),
        ("जिला अस्पताल, भुवनेश्वर, खोर्धा जिला", "जिला अस्पताल, भुवनेश्वर, खो…"),
        ("🏥" * 20, "🏥" * 14 + "…"),
    ],
)
def test_variables_are_shortened_safely(value, expected):
    """Given a long or multi-line value, When fitted to 30 UTF-16 units, Then it is one line,
    cut with an ellipsis, never inside a surrogate pair or an Odia/Devanagari syllable."""
    fitted = fit_variable(value)
    assert fitted == expected
    assert len(fitted.encode("utf-16-le")) // 2 <= 30
    assert not unicodedata.category(fitted[0]).startswith("M")


def test_a_cut_never_leaves_a_dangling_virama():
    """Given an Odia name whose 29th unit falls inside a conjunct, When fitted, Then the text
    before the ellipsis ends on a whole syllable."""
    for padding in range(25, 30):
        fitted = fit_variable("କ" * padding + "କ୍ଷ୍ମ" * 5)
        assert fitted[-2] not in "\u0b4d" and not unicodedata.category(fitted[-2]).startswith("M")


@pytest.mark.parametrize(
    ("call", "fragment"),
    [
        (lambda: sms("reminder", "en"), "unknown SMS template"),
        (lambda: sms("survey", "en", office="x", service="y", date="2026-01-01"), "missing"),
        (lambda: sms("thanks", "en", office="x"), "unexpected"),
        (lambda: sms("survey", "hi", **_values("survey", "hi", link="https://x.in/f/" + "a" * 20)),
         "link"),
        (lambda: sms("survey", "or", **_values("survey", "or", office="   ")), "blank"),
    ],
)  # fmt: skip
def test_bad_sms_requests_say_what_is_wrong(call, fragment):
    """Given an unknown template, a missing, unexpected or blank variable, or a link too long
    for a DLT variable, When an SMS is built, Then SmsError names the problem."""
    with pytest.raises(SmsError, match=fragment):
        call()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a" * 160, (False, 1)), ("a" * 161, (False, 2)), ("a" * 306, (False, 2)),
        ("a" * 307, (False, 3)), ("[" * 80, (False, 1)), ("[" * 81, (False, 2)),
        ("ଓ" * 70, (True, 1)), ("ଓ" * 71, (True, 2)), ("ଓ" * 134, (True, 2)),
        ("ଓ" * 135, (True, 3)), ("a" * 69 + "€", (False, 1)), ("a" * 69 + "😀", (True, 2)),
    ],
)  # fmt: skip
def test_segments_follow_gsm7_and_ucs2_rules(text, expected):
    """Given texts at the segment boundaries, When counted, Then GSM-7 parts hold 160 (153)
    septets with escaped characters costing two, UCS-2 parts 70 (67) units."""
    assert count_segments(text) == expected


# -- replies ---------------------------------------------------------------------------------

F = "feedback"


@pytest.mark.parametrize(
    ("text", "expecting", "expected"),
    [
        ("4 Y", None, Reply(F, rating=4, work_done=True)),
        ("4Y", None, Reply(F, rating=4, work_done=True)),
        ("4 y", None, Reply(F, rating=4, work_done=True)),
        ("4,yes", None, Reply(F, rating=4, work_done=True)),
        ("5-N", None, Reply(F, rating=5, work_done=False)),
        ("3 n m", None, Reply(F, rating=3, work_done=False, bribe_asked=True)),
        ("2 N M", None, Reply(F, rating=2, work_done=False, bribe_asked=True)),
        ("2nm", None, Reply(F, rating=2, work_done=False, bribe_asked=True)),
        ("y 5", None, Reply(F, rating=5, work_done=True)),
        ("4 haan", None, Reply(F, rating=4, work_done=True)),
        ("1 nahin M", None, Reply(F, rating=1, work_done=False, bribe_asked=True)),
        ("4 Y money", None, Reply(F, rating=4, work_done=True, bribe_asked=True)),
        ("୪ ହଁ", None, Reply(F, rating=4, work_done=True)),
        ("୪ହଁ", None, Reply(F, rating=4, work_done=True)),
        ("୨ ନା M", None, Reply(F, rating=2, work_done=False, bribe_asked=True)),
        ("୧ ଟଙ୍କା ହଁ", None, Reply(F, rating=1, work_done=True, bribe_asked=True)),
        ("୩ ପଇସା", None, Reply(F, rating=3, bribe_asked=True)),
        ("३ हाँ", None, Reply(F, rating=3, work_done=True)),
        ("२ N पैसे", None, Reply("unknown")),
        ("२ पैसे", None, Reply(F, rating=2, bribe_asked=True)),
        ("२ नहीं m", None, Reply(F, rating=2, work_done=False, bribe_asked=True)),
        ("5 Y thank you", None, Reply(F, rating=5, work_done=True)),
        ("Y", None, Reply(F, work_done=True)),
        ("M", None, Reply(F, bribe_asked=True)),
        ("4", None, Reply(F, rating=4)),
        ("1", "feedback", Reply(F, rating=1)),
        ("2 y", "feedback", Reply(F, rating=2, work_done=True)),
        ("1", None, Reply("confirm", resolved=True)),
        ("2", None, Reply("confirm", resolved=False)),
        ("१", None, Reply("confirm", resolved=True)),
        ("୨", "confirmation", Reply("confirm", resolved=False)),
        ("yes", "confirmation", Reply("confirm", resolved=True)),
        ("ନା", "confirmation", Reply("confirm", resolved=False)),
        ("STOP", None, Reply("stop")),
        ("stop", "feedback", Reply("stop")),
        ("Stop All", None, Reply("stop")),
        ("UNSUBSCRIBE", "confirmation", Reply("stop")),
        ("ବନ୍ଦ", None, Reply("stop")),
        ("ବନ୍ଦ କରନ୍ତୁ", None, Reply("stop")),
        ("बंद", None, Reply("stop")),
        ("बंद करें", None, Reply("stop")),
        ("6 Y", None, Reply("unknown")),
        ("0", None, Reply("unknown")),
        ("9", "feedback", Reply("unknown")),
        ("45 Y", None, Reply("unknown")),
        ("4 5", None, Reply("unknown")),
        ("Y N", None, Reply("unknown")),
        ("4 Y maybe", None, Reply("unknown")),
        ("hello", None, Reply("unknown")),
        ("", None, Reply("unknown")),
        ("   ...  ", None, Reply("unknown")),
        ("no money", None, Reply("unknown")),
        ("1 nahin money", None, Reply("unknown")),
        ("୨ ପଇସା ନାହିଁ", None, Reply("unknown")),
        ("ऑफिस बंद था", None, Reply("unknown")),
        ("stop 4 Y", None, Reply("unknown")),
        ("3", "confirmation", Reply("unknown")),
        ("1 M", "confirmation", Reply("unknown")),
        ("thanks", None, Reply("unknown")),
    ],
)
def test_parse_reply(text, expecting, expected):
    """Given a citizen's SMS reply (ASCII, Odia or Devanagari digits and words, any
    separator), When parsed, Then its meaning is read exactly, and anything unclear is
    unknown rather than guessed."""
    assert parse_reply(text, expecting=expecting) == expected


def test_parse_reply_refuses_an_unknown_context():
    """Given a mistyped ``expecting``, When parsing, Then the mistake is reported."""
    with pytest.raises(ValueError, match="expecting"):
        parse_reply("4 Y", expecting="survey")


# -- Connect prompts -------------------------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("kind", ["survey", "confirmation"])
def test_connect_prompts_are_a_flat_string_map_under_32_kb(language, kind):
    """Given any language and kind, When prompts are made, Then the map has exactly the keys
    the flow reads, all strings, well under Connect's 32 KB."""
    prompts = connect_prompts(language, "cmo", kind, office="O" * 500, service="S")
    assert tuple(prompts) == CONNECT_KEYS
    assert all(isinstance(v, str) and v for v in prompts.values())
    assert len(json.dumps(prompts, ensure_ascii=False).encode()) < 8 * 1024
    assert "O" * 100 not in prompts["visit_detail"]  # variables are clipped


def test_hindi_and_english_prompts_are_spoken_text_naming_the_caller_and_visit():
    """Given Hindi and English, Then the greeting names who calls (CM's office, the contact
    centre, an official's office) and the visit detail names the office and service."""
    visit = {"office": "DHH Puri", "service": "OPD"}
    cmo = connect_prompts("hi", "cmo", **visit)
    assert (cmo["mode"], cmo["voice"], cmo["engine"]) == ("tts", "Kajal", "Neural")
    assert "मुख्यमंत्री कार्यालय" in cmo["greeting"]
    assert "DHH Puri" in cmo["visit_detail"] and "OPD" in cmo["visit_detail"]
    centre = connect_prompts("en", "contact-centre", **visit)
    assert "citizen feedback centre" in centre["greeting"]
    collector_name = "District Collector, Khordha"
    collector = connect_prompts("en", "collector-khordha", caller_name=collector_name, **visit)
    assert "office of District Collector, Khordha" in collector["greeting"]
    unnamed = connect_prompts("en", "sp-cuttack", **visit)
    assert "office of a senior officer" in unnamed["greeting"]
    confirmation = connect_prompts("en", None, "confirmation", **visit)
    assert "complaint" in confirmation["greeting"] and "press 1" in confirmation["q_confirm"]


@pytest.mark.parametrize(
    ("language", "purpose"),
    [("en", "only to improve public services"), ("hi", "केवल सरकारी सेवाओं"),
     ("or", "କେବଳ ସରକାରୀ ସେବାର")],
)  # fmt: skip
def test_the_first_call_says_what_the_answers_are_for_and_how_to_opt_out(language, purpose):
    """Given each language's catalog, Then the prompt played before the first question (the
    DPDP notice) says the answers are used only to improve public services and that 8 opts
    out."""
    hint = catalog(language)["prompts"]["stop_hint"]["text"]
    assert purpose in hint and "8" in hint


def test_odia_prompts_are_recorded_prompt_references():
    """Given Odia, Then every spoken key is a prompt reference (its name, or the Connect prompt
    ARN when a map is given) and only the visit detail is text."""
    names = connect_prompts("ଓଡ଼ିଆ", "cmo", office="DHH Puri", service="OPD")
    assert names["mode"] == "recorded"
    assert names["greeting"] == "samvad-or-greeting_cmo"
    assert names["q_rating"] == "samvad-or-q_rating"
    assert names["visit_detail"] == "OPD. DHH Puri."
    arns = {name: f"arn:aws:connect:prompt/{name}" for name in recorded_prompts("or")}
    with_ids = connect_prompts("or", "cmo", prompt_ids=arns, office="DHH Puri", service="OPD")
    assert with_ids["q_rating"] == "arn:aws:connect:prompt/samvad-or-q_rating"
    with pytest.raises(ValueError, match="samvad-or-greeting_cmo"):
        connect_prompts("or", "cmo", prompt_ids={}, office="DHH Puri", service="OPD")


def test_prompts_for_contact_reads_the_attributes_dispatch_sets():
    """Given the contact attributes notify sets on a call, When prompts are made from them,
    Then language, caller, kind, office and service are taken from there."""
    attributes = {"visit_key": "v1", "kind": "confirmation", "case_id": "case-v1",
                  "language": "hi-IN", "caller": "cmo", "service_name": "OPD",
                  "office_name": "DHH Puri"}  # fmt: skip
    prompts = prompts_for_contact(attributes)
    assert prompts["language"] == "hi" and "शिकायत" in prompts["greeting"]
    assert "DHH Puri" in prompts["visit_detail"]
    with pytest.raises(ValueError, match="office"):
        prompts_for_contact({"language": "en", "service_name": "OPD"})


def test_the_catalog_voice_speaks_hindi_and_indian_english_with_its_engine(aws):
    """Given Polly's voice list (moto mirrors AWS's), Then the catalog's voice for Hindi and
    English supports that language and the neural engine."""
    import boto3

    voices = {v["Id"]: v for v in boto3.client("polly").describe_voices()["Voices"]}
    for language in ("hi", "en"):
        settings = catalog(language)["voice"]
        voice = voices[settings["voice"]]
        codes = {voice["LanguageCode"], *voice.get("AdditionalLanguageCodes", [])}
        assert catalog(language)["locale"] in codes
        assert settings["engine"].lower() in voice["SupportedEngines"]


@pytest.mark.parametrize(
    ("parameters", "expected"),
    [
        ({"work_done": "1", "rating": "4", "bribe": "2", "officer": "false"},
         messages.IvrAnswers(rating=4, work_done=True, bribe_asked=False)),
        ({"work_done": "2", "rating": "none", "bribe": "1", "officer": "true"},
         messages.IvrAnswers(work_done=False, bribe_asked=True, wants_officer=True)),
        ({"work_done": "Timeout", "rating": "7", "bribe": "", "officer": "TRUE"},
         messages.IvrAnswers(wants_officer=True)),
        ({"resolved": "1"}, messages.IvrAnswers(resolved=True)),
        ({"resolved": "none"}, messages.IvrAnswers()),
        ({}, messages.IvrAnswers()),
    ],
)  # fmt: skip
def test_ivr_answers(parameters, expected):
    """Given the parameters the flow passes with ``action=record``/``confirm``, When decoded,
    Then 1/2 are yes/no, 1-5 a rating, and anything else an unanswered question."""
    assert ivr_answers(parameters) == expected


# -- web form --------------------------------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_form_is_self_contained_and_in_the_citizen_language(language):
    """Given a visit, When its form is rendered, Then the page declares its language and a
    phone viewport, carries its CSP, loads nothing from elsewhere, runs no script, posts to
    its own URL with the token, and offers the other languages as ``?lang=`` links."""
    page = render_form(language, "tok-123", VISIT)
    web = catalog(language)["web"]
    assert page.startswith(f'<!doctype html><html lang="{language}">')
    assert 'name="viewport"' in page and escape(CONTENT_SECURITY_POLICY) in page
    assert "<script" not in page and " src=" not in page and "url(" not in page
    assert not re.search(r"https?:", page) and "@import" not in page
    assert re.findall(r'href="([^"]*)"', page) == [f"?lang={code}" for code in LANGUAGES]
    assert '<form method="post"' in page and "action=" not in page
    assert '<input type="hidden" name="token" value="tok-123">' in page
    for text in (web["q_work_done"], web["q_rating"], web["q_bribe"], web["opt_out"]):
        assert text in page
    assert page.count('type="radio" name="rating"') == 5
    assert 'maxlength="1000"' in page
    for code in LANGUAGES:
        assert f'href="?lang={code}"' in page
    assert f'href="?lang={language}" lang="{language}" hreflang="{language}" aria-current' in page
    assert format_date("2026-11-20", language) in page


def test_hostile_values_are_escaped_and_the_phone_is_never_shown():
    """Given a visit and values holding markup and a phone number, When rendered, Then no
    markup survives unescaped and no phone number appears."""
    visit = {
        "office_name": "<script>alert(1)</script>", "service": 'x" onmouseover="y',
        "visit_date": "<b>", "phone": "+919876543210", "citizen_name": "Asha",
    }  # fmt: skip
    values = {"free_text": "</textarea><script>z()</script>", "rating": '4"><img src=x>'}
    page = render_form("en", '"><script>t()</script>', visit, values=values, error="rating")
    assert "<script" not in page and "<img" not in page
    assert page.count("<b>") == 5 and "&lt;b&gt;" in page  # the rating digits, and the date
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert escape('x" onmouseover="y') in page
    assert "9876543210" not in page and "Asha" not in page
    assert "Please choose a rating from 1 to 5." in page


def test_the_confirmation_form_asks_whether_the_complaint_was_resolved():
    """Given a confirmation, When rendered in Odia, Then it asks the resolved question and
    not the survey's."""
    page = render_form("or", "t", VISIT, kind="confirmation")
    web = catalog("or")["web"]
    assert web["q_resolved"] in page and 'name="resolved" value="yes"' in page
    assert 'name="rating"' not in page and web["q_work_done"] not in page
    with pytest.raises(ValueError, match="kind"):
        render_form("or", "t", VISIT, kind="poll")


def test_a_form_shown_again_keeps_the_answers_and_says_what_to_fix():
    """Given a rejected post, When the form is rendered again with its values and error, Then
    the citizen's choices are still selected and the error is in their language."""
    values = {"rating": "2", "work_done": "no", "free_text": "Waited 3 hours", "opt_out": "1"}
    page = render_form("hi", "t", VISIT, error=FormError("bribe_asked", "must be yes or no"),
                       values=values)  # fmt: skip
    assert 'name="rating" value="2" checked' in page
    assert 'name="work_done" value="no" checked' in page
    assert 'name="opt_out" value="1" checked' in page
    assert ">Waited 3 hours</textarea>" in page
    assert catalog("hi")["web"]["errors"]["bribe_asked"] in page and 'role="alert"' in page


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("page", PAGES)
def test_pages_share_the_look_and_speak_the_language(page, language):
    """Given each outcome page, When rendered, Then it is a full page in the language with
    the page's title."""
    html = render_page(page, language)
    assert html.startswith(f'<!doctype html><html lang="{language}">')
    assert catalog(language)["pages"][page]["title"] in html
    assert escape(CONTENT_SECURITY_POLICY) in html


def test_an_unknown_page_is_refused():
    """Given a page name that does not exist, When rendered, Then ValueError says so."""
    with pytest.raises(ValueError, match="page"):
        render_page("welcome", "en")


def test_parse_form_reads_every_answer():
    """Given a complete survey post (Odia free text, CRLF, a control character), When parsed,
    Then every answer is typed and the free text is clean."""
    body = ("token=tok-1&work_done=no&rating=2&bribe_asked=yes&opt_out=1&free_text="
            "%E0%AC%95%E0%AC%BE%E0%AC%AE%0D%0Anot%07done++")  # fmt: skip
    answer = parse_form(body, FORM + "; charset=UTF-8")
    assert answer == FormAnswer(
        token="tok-1", rating=2, work_done=False, bribe_asked=True, free_text="କାମ\nnotdone",
        opt_out=True,
    )  # fmt: skip
    assert parse_form(b"token=t&resolved=yes", FORM) == FormAnswer(token="t", resolved=True)
    assert parse_form("token=t&opt_out=on", FORM) == FormAnswer(token="t", opt_out=True)


@pytest.mark.parametrize(
    ("body", "content_type", "field"),
    [
        ("token=t&rating=6", FORM, "rating"),
        ("token=t&rating=four", FORM, "rating"),
        ("token=t&rating=4.0", FORM, "rating"),
        ("token=t&work_done=maybe", FORM, "work_done"),
        ("token=t&bribe_asked=1", FORM, "bribe_asked"),
        ("token=t&resolved=perhaps", FORM, "resolved"),
        ("token=t&rating=4&rating=5", FORM, "rating"),
        ("rating=4", FORM, "token"),
        ("token=&rating=4", FORM, "token"),
        ("token=t%0Ax&rating=4", FORM, "token"),
        ("token=t&opt_out=no", FORM, "opt_out"),
        ("token=t&free_text=" + "a" * 1001, FORM, "free_text"),
        ("token=t", FORM, "form"),
        ("token=t&free_text=+++", FORM, "form"),
        ("token=t&free_text=%FF", FORM, "encoding"),
        (b"token=t&free_text=caf\xe9", FORM, "encoding"),
        (None, FORM, "encoding"),
        ("token=t&" + "&".join(f"x{i}=1" for i in range(20)), FORM, "body"),
        ("token=t&free_text=" + "a" * 17000, FORM, "body"),
        ('{"token": "t"}', "application/json", "content_type"),
        ("token=t&rating=4", "multipart/form-data; boundary=x", "content_type"),
        ("token=t&rating=4", FORM + "; charset=iso-8859-1", "content_type"),
        ("token=t&rating=4", None, "content_type"),
    ],
)
def test_parse_form_names_the_field_that_is_wrong(body, content_type, field):
    """Given a post with one bad value, When parsed, Then FormError names that field (and
    says why, for the logs)."""
    with pytest.raises(FormError) as error:
        parse_form(body, content_type)
    assert error.value.field == field
    assert error.value.message
