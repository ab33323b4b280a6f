"""Odisha's 30 districts as a tile grid (column, row), laid out roughly as on the map:
north-west to north-east on top, the coast on the right, the southern hills at the bottom.
A tile map needs no boundary data."""

from __future__ import annotations

# fmt: off
TILES: dict[str, tuple[int, int]] = {
    "Jharsuguda": (1, 0), "Sundargarh": (2, 0), "Kendujhar": (3, 0), "Mayurbhanj": (4, 0),
    "Balasore": (5, 0),
    "Bargarh": (1, 1), "Sambalpur": (2, 1), "Deogarh": (3, 1), "Jajpur": (4, 1),
    "Bhadrak": (5, 1),
    "Nuapada": (0, 2), "Balangir": (1, 2), "Subarnapur": (2, 2), "Angul": (3, 2),
    "Dhenkanal": (4, 2), "Kendrapara": (5, 2),
    "Kalahandi": (1, 3), "Boudh": (2, 3), "Nayagarh": (3, 3), "Cuttack": (4, 3),
    "Jagatsinghpur": (5, 3),
    "Nabarangpur": (0, 4), "Rayagada": (1, 4), "Kandhamal": (2, 4), "Khordha": (3, 4),
    "Puri": (4, 4),
    "Koraput": (0, 5), "Gajapati": (2, 5), "Ganjam": (3, 5),
    "Malkangiri": (0, 6),
}
# fmt: on
ALIASES = {
    "keonjhar": "Kendujhar",
    "baleswar": "Balasore",
    "sonepur": "Subarnapur",
    "bolangir": "Balangir",
    "khurda": "Khordha",
    "jagatsinghapur": "Jagatsinghpur",
    "nawarangpur": "Nabarangpur",
    "debagarh": "Deogarh",
    "anugul": "Angul",
}  # fmt: skip


def district_name(name: str) -> str | None:
    """The tile a district name belongs to (case and common spellings forgiven)."""
    folded = name.strip().lower()
    for known in TILES:
        if known.lower() == folded:
            return known
    return ALIASES.get(folded)
