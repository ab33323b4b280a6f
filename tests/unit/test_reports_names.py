"""Names, not codes; Odisha's district tiles; the label catalogues."""

from __future__ import annotations

from samvad import resources
from samvad.reports import labels
from samvad.reports.names import Names
from samvad.reports.tiles import TILES, district_name
from samvad_dev.demo.catalog import DISTRICTS
from tests.reports_fakes import MemoryConfig


def test_names_come_from_the_departments_document_and_the_directory() -> None:
    """Given no departments document, then the shipped names apply (health's OPD service
    too); given a published one and a directory, then its names apply, an official's name and
    title are shown without the phone, the shipped names remain for codes it does not name,
    and an unknown code is shown as itself."""
    shipped = Names.from_config(MemoryConfig())
    row = shipped.label({"department": "health", "service": "OPD", "office_code": "X"})
    assert row["department_name"] == "Health & Family Welfare"
    assert row["service_name"] == "Out-patient consultation"
    assert row["office_name"] == "X"
    published = Names.from_config(
        MemoryConfig(
            {
                resources.DEPARTMENTS_CONFIG: {
                    "departments": {"water": {"name": "Water Resources", "services": {"W1": "Tap"}}}
                },
                resources.ESCALATION_DIRECTORY_CONFIG: {
                    "officials": {
                        "o1": {
                            "name": "Sasmita Sahoo",
                            "title": "Tahasildar",
                            "phone": "+919876543210",
                        }
                    }
                },
            }
        )
    )
    named = published.label({"department": "water", "service": "W1", "official_id": "o1"})
    assert (named["department_name"], named["service_name"]) == ("Water Resources", "Tap")
    assert named["official_name"] == "Sasmita Sahoo, Tahasildar"
    assert published.department("health") == "Health & Family Welfare"  # shipped, kept
    assert published.department("nowhere") == "nowhere"
    assert "9876543210" not in repr(published)


def test_every_district_has_its_own_tile() -> None:
    """Given Odisha's 30 districts, then each has a tile, no two share a cell, and common
    alternative spellings find theirs."""
    assert len(TILES) == 30 and len(set(TILES.values())) == 30
    assert {district_name(d.name) for d in DISTRICTS} == set(TILES)
    assert district_name("KEONJHAR") == "Kendujhar" and district_name("Atlantis") is None


def test_every_label_is_in_odia_hindi_and_english() -> None:
    """Given the three catalogues, then they have the same labels, none blank, and the Odia
    and Hindi ones are in their scripts."""
    english = labels.catalog("en")["labels"]
    for language, script in (("or", "\u0b00"), ("hi", "\u0900")):
        found = labels.catalog(language)["labels"]
        assert set(found) == set(english)
        assert all(text.strip() for text in found.values())
        start = ord(script)
        assert any(start <= ord(ch) < start + 128 for ch in found["satisfied"])
