"""The workspace's pages: Jinja2 (autoescaped) shells with labels in Odia, Hindi and English.

A page carries no personal data: it signs in through ``/api/session`` and fills itself from
the JSON API with the ID token kept in the tab's ``sessionStorage``, writing values as text
(never as HTML). The API applies the caller's role and scope; the menu only mirrors it.
"""

from __future__ import annotations

import functools

import jinja2

from samvad.reports import labels

PAGES = (
    "signin",
    "cases",
    "case",
    "calls",
    "dashboard",
    "uploads",
    "audit",
    "grievance",
    "drilldown",
    "erasures",
)
LANGUAGES = ("or", "hi", "en")
HEADERS = {
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}
LABELS: dict[str, dict[str, str]] = {
    "en": {
        "call_to_call": "To call", "call_retry": "Call again", "call_done": "Done",
        "call_unreachable": "Unreachable", "call_sms_sent": "SMS survey sent instead",
        "call_closed": "Closed", "call_requeued": "Handed back for a later attempt",
        "out_answered": "Answered", "out_no_answer": "No answer", "out_busy": "Busy",
        "out_wrong_number": "Wrong number", "out_refused": "Refused",
        "lang_or": "Odia", "lang_hi": "Hindi", "lang_en": "English",
        "cases_in_scope": "Cases in my scope", "counters": "Every counter this month",
        "st_open": "open", "st_resolved": "resolved", "st_overdue": "overdue",
        "no_cases": "No cases match.", "month": "Month",
        "grievances_registered": "Grievances registered",
        "title": "Samvad workspace", "signin": "Sign in", "username": "Username",
        "password": "Password", "cases": "My cases", "calls": "Call desk",
        "dashboard": "Dashboard", "uploads": "Uploads", "audit": "Audit", "signout": "Sign out",
        "status": "Status", "level": "Level", "deadline": "Deadline", "service": "Service",
        "office": "Office", "district": "District", "holder": "Holder", "filter": "Filter",
        "all": "All", "mine": "Held by me", "atr": "Action-taken report",
        "file_atr": "File the report",
        "transfer": "Transfer", "to_department": "To department", "reason": "Reason",
        "history": "History", "answers": "Citizen's answers", "citizen": "Citizen",
        "done_of": "done of", "reveal": "Show number", "outcome": "Outcome",
        "rating": "Rating (1–5)", "work_done": "Work done?", "bribe": "Money asked?",
        "free_text": "What the citizen said", "save": "Save", "yes": "Yes", "no": "No",
        "upload": "Upload a file", "file": "File", "department": "Department",
        "rejects": "Download rejects", "report": "Report", "when": "When", "who": "Who",
        "what": "What", "target": "On", "from": "From", "script": "Script", "age": "Age (days)",
        "figures": "Figures for my scope", "my_cases": "My cases' ages", "language": "Language",
        "attachment": "Photo or PDF (optional, ≤ 5 MB)", "too_big": "The file is over 5 MB",
        "grievance": "Register a grievance", "phone": "Caller's mobile number",
        "category": "Category",
        "more": "More", "call": "Call",
        "ringing": "Your phone rings first; then the citizen is joined.",
        "drilldown": "Drill-down",
        "erasures": "Erasure requests", "erase": "Erase the citizen's data",
        "erase_phone": "Citizen's mobile number", "erase_reason": "Reason (no phone numbers)",
        "erase_warning": "This removes the citizen's personal data everywhere; it cannot be "
        "undone.", "receipt": "Receipt", "found": "Found", "counts": "Records",
    },
    "hi": {
        "call_to_call": "कॉल करना है", "call_retry": "फिर कॉल करें", "call_done": "पूरा",
        "call_unreachable": "संपर्क नहीं हो सका", "call_sms_sent": "इसके बदले SMS सर्वे भेजा गया",
        "call_closed": "बंद", "call_requeued": "बाद की कोशिश के लिए लौटाया गया",
        "out_answered": "उत्तर मिला", "out_no_answer": "उत्तर नहीं", "out_busy": "व्यस्त",
        "out_wrong_number": "गलत नंबर", "out_refused": "मना किया",
        "lang_or": "ओड़िया", "lang_hi": "हिन्दी", "lang_en": "अंग्रेज़ी",
        "cases_in_scope": "मेरे क्षेत्र के मामले", "counters": "इस माह की सभी गणनाएँ",
        "st_open": "खुला", "st_resolved": "हल", "st_overdue": "अतिदेय",
        "no_cases": "कोई मामला नहीं मिला।", "month": "माह",
        "grievances_registered": "दर्ज शिकायतें",
        "title": "संवाद कार्यक्षेत्र", "signin": "साइन इन", "username": "उपयोगकर्ता नाम",
        "password": "पासवर्ड", "cases": "मेरे मामले", "calls": "कॉल डेस्क",
        "dashboard": "डैशबोर्ड", "uploads": "अपलोड", "audit": "ऑडिट", "signout": "साइन आउट",
        "status": "स्थिति", "level": "स्तर", "deadline": "समय सीमा", "service": "सेवा",
        "office": "कार्यालय", "district": "ज़िला", "holder": "धारक", "filter": "छाँटें",
        "all": "सभी", "mine": "मेरे पास", "atr": "की गई कार्रवाई की रिपोर्ट",
        "file_atr": "रिपोर्ट दर्ज करें", "transfer": "स्थानांतरण", "to_department": "विभाग को",
        "reason": "कारण", "history": "इतिहास", "answers": "नागरिक के उत्तर", "citizen": "नागरिक",
        "done_of": "पूरे, कुल", "reveal": "नंबर दिखाएँ", "outcome": "परिणाम",
        "rating": "रेटिंग (1–5)", "work_done": "काम हुआ?", "bribe": "पैसे माँगे?",
        "free_text": "नागरिक ने क्या कहा", "save": "सहेजें", "yes": "हाँ", "no": "नहीं",
        "upload": "फ़ाइल अपलोड करें", "file": "फ़ाइल", "department": "विभाग",
        "rejects": "अस्वीकृत पंक्तियाँ", "report": "रिपोर्ट", "when": "कब", "who": "किसने",
        "what": "क्या", "target": "किस पर", "from": "कहाँ से", "script": "स्क्रिप्ट",
        "age": "आयु (दिन)", "figures": "मेरे क्षेत्र के आँकड़े", "my_cases": "मेरे मामलों की आयु",
        "language": "भाषा", "attachment": "फ़ोटो या PDF (वैकल्पिक, ≤ 5 MB)",
        "too_big": "फ़ाइल 5 MB से बड़ी है",
        "grievance": "शिकायत दर्ज करें", "phone": "कॉल करने वाले का मोबाइल नंबर",
        "category": "श्रेणी", "more": "और",
        "call": "कॉल करें", "ringing": "पहले आपका फ़ोन बजेगा; फिर नागरिक जुड़ेंगे।",
        "drilldown": "विस्तृत रिपोर्ट",
        "erasures": "डेटा मिटाने के अनुरोध", "erase": "नागरिक का डेटा मिटाएँ",
        "erase_phone": "नागरिक का मोबाइल नंबर", "erase_reason": "कारण (फ़ोन नंबर नहीं)",
        "erase_warning": "इससे नागरिक का व्यक्तिगत डेटा हर जगह से हट जाएगा; इसे वापस नहीं "
        "किया जा सकता।", "receipt": "रसीद", "found": "मिला", "counts": "रिकॉर्ड",
    },
    "or": {
        "call_to_call": "କଲ୍ କରିବାକୁ ଅଛି", "call_retry": "ପୁଣି କଲ୍ କରନ୍ତୁ", "call_done": "ସମ୍ପୂର୍ଣ୍ଣ",
        "call_unreachable": "ଯୋଗାଯୋଗ ହୋଇପାରିଲା ନାହିଁ", "call_sms_sent": "ଏହା ବଦଳରେ SMS ସର୍ଭେ ପଠାଗଲା",
        "call_closed": "ବନ୍ଦ", "call_requeued": "ପରବର୍ତ୍ତୀ ଚେଷ୍ଟା ପାଇଁ ଫେରାଗଲା",
        "out_answered": "ଉତ୍ତର ମିଳିଲା", "out_no_answer": "ଉତ୍ତର ନାହିଁ", "out_busy": "ବ୍ୟସ୍ତ",
        "out_wrong_number": "ଭୁଲ୍ ନମ୍ବର", "out_refused": "ମନା କଲେ",
        "lang_or": "ଓଡ଼ିଆ", "lang_hi": "ହିନ୍ଦୀ", "lang_en": "ଇଂରାଜୀ",
        "cases_in_scope": "ମୋ କ୍ଷେତ୍ରର ମାମଲା", "counters": "ଏହି ମାସର ସମସ୍ତ ଗଣନା",
        "st_open": "ଖୋଲା", "st_resolved": "ସମାଧାନ", "st_overdue": "ବିଳମ୍ବିତ",
        "no_cases": "କୌଣସି ମାମଲା ମିଳିଲା ନାହିଁ।", "month": "ମାସ",
        "grievances_registered": "ପଞ୍ଜିକୃତ ଅଭିଯୋଗ",
        "title": "ସମ୍ବାଦ କାର୍ଯ୍ୟକ୍ଷେତ୍ର", "signin": "ସାଇନ୍ ଇନ୍", "username": "ଉପଯୋଗକର୍ତ୍ତା ନାମ",
        "password": "ପାସୱାର୍ଡ", "cases": "ମୋର ମାମଲା", "calls": "କଲ୍ ଡେସ୍କ",
        "dashboard": "ଡ୍ୟାସବୋର୍ଡ", "uploads": "ଅପଲୋଡ୍", "audit": "ଅଡିଟ୍", "signout": "ସାଇନ୍ ଆଉଟ୍",
        "status": "ସ୍ଥିତି", "level": "ସ୍ତର", "deadline": "ସମୟସୀମା", "service": "ସେବା",
        "office": "କାର୍ଯ୍ୟାଳୟ", "district": "ଜିଲ୍ଲା", "holder": "ଧାରକ", "filter": "ଛାଣନ୍ତୁ",
        "all": "ସମସ୍ତ", "mine": "ମୋ ପାଖରେ", "atr": "କାର୍ଯ୍ୟାନୁଷ୍ଠାନ ରିପୋର୍ଟ",
        "file_atr": "ରିପୋର୍ଟ ଦାଖଲ କରନ୍ତୁ", "transfer": "ସ୍ଥାନାନ୍ତର", "to_department": "ବିଭାଗକୁ",
        "reason": "କାରଣ", "history": "ଇତିହାସ", "answers": "ନାଗରିକଙ୍କ ଉତ୍ତର", "citizen": "ନାଗରିକ",
        "done_of": "ସମ୍ପୂର୍ଣ୍ଣ, ମୋଟ", "reveal": "ନମ୍ବର ଦେଖାନ୍ତୁ", "outcome": "ଫଳାଫଳ",
        "rating": "ମୂଲ୍ୟାଙ୍କନ (1–5)", "work_done": "କାମ ହେଲା କି?", "bribe": "ଟଙ୍କା ମାଗିଲେ କି?",
        "free_text": "ନାଗରିକ କଣ କହିଲେ", "save": "ସଞ୍ଚୟ କରନ୍ତୁ", "yes": "ହଁ", "no": "ନା",
        "upload": "ଫାଇଲ୍ ଅପଲୋଡ୍", "file": "ଫାଇଲ୍", "department": "ବିଭାଗ",
        "rejects": "ପ୍ରତ୍ୟାଖ୍ୟାତ ଧାଡ଼ି", "report": "ରିପୋର୍ଟ", "when": "କେବେ", "who": "କିଏ",
        "what": "କଣ", "target": "କାହା ଉପରେ", "from": "କେଉଁଠୁ", "script": "ସ୍କ୍ରିପ୍ଟ",
        "age": "ବୟସ (ଦିନ)", "figures": "ମୋ କ୍ଷେତ୍ରର ସଂଖ୍ୟା", "my_cases": "ମୋ ମାମଲାର ବୟସ",
        "language": "ଭାଷା", "attachment": "ଫଟୋ କିମ୍ବା PDF (ଇଚ୍ଛାଧୀନ, ≤ 5 MB)",
        "too_big": "ଫାଇଲ୍ 5 MB ରୁ ବଡ଼",
        "grievance": "ଅଭିଯୋଗ ପଞ୍ଜିକରଣ", "phone": "କଲ୍ କରୁଥିବା ବ୍ୟକ୍ତିଙ୍କ ମୋବାଇଲ୍ ନମ୍ବର",
        "category": "ବର୍ଗ", "more": "ଆହୁରି",
        "call": "କଲ୍ କରନ୍ତୁ", "ringing": "ପ୍ରଥମେ ଆପଣଙ୍କ ଫୋନ୍ ବାଜିବ; ତା'ପରେ ନାଗରିକ ଯୋଗ ଦେବେ।",
        "drilldown": "ବିସ୍ତୃତ ରିପୋର୍ଟ",
        "erasures": "ତଥ୍ୟ ବିଲୋପ ଅନୁରୋଧ", "erase": "ନାଗରିକଙ୍କ ତଥ୍ୟ ବିଲୋପ କରନ୍ତୁ",
        "erase_phone": "ନାଗରିକଙ୍କ ମୋବାଇଲ୍ ନମ୍ବର", "erase_reason": "କାରଣ (ଫୋନ୍ ନମ୍ବର ନୁହେଁ)",
        "erase_warning": "ଏହା ନାଗରିକଙ୍କ ବ୍ୟକ୍ତିଗତ ତଥ୍ୟ ସବୁଠାରୁ ହଟାଇ ଦେବ; ଏହାକୁ ଫେରାଇ ହେବ "
        "ନାହିଁ।", "receipt": "ରସିଦ", "found": "ମିଳିଲା", "counts": "ରେକର୍ଡ",
    },
}  # fmt: skip


@functools.cache
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("samvad.workspace", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )


def render(name: str, language: str = "") -> tuple[int, str]:
    """``(status, html)`` of a page; an unknown page is a 404 page."""
    language = language if language in LANGUAGES else "en"
    if name not in PAGES:
        return 404, _environment().get_template("missing.html").render(
            t=LABELS[language], lang=language, page="missing", languages=LANGUAGES
        )
    html = (
        _environment()
        .get_template(f"{name}.html")
        .render(
            t=LABELS[language],
            r=labels.catalog(language)["labels"],  # the reports' names for their figures
            lang=language,
            page=name,
            languages=LANGUAGES,
        )
    )
    return 200, html
