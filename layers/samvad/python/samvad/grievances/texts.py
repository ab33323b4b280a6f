"""A grievance's status and labels in the citizen's language (catalog section ``grievance``)."""

from __future__ import annotations

from samvad.grievances.model import StatusView
from samvad.messages.languages import format_date, texts


def words(language: str) -> dict:
    return texts(language)["grievance"]


def status_words(view: StatusView, language: str) -> dict[str, str]:
    """``state``, ``level``, ``action``, ``date`` for the status SMS and page."""
    section = words(language)
    return {
        "state": section["states"].get(view.state, view.state),
        "level": str(view.level),
        "action": section["actions"].get(view.last_action, view.last_action),
        "date": format_date(view.last_action_at[:10] or None, language),
    }


def category_label(category: str, language: str) -> str:
    return words(language)["categories"].get(category, category)
