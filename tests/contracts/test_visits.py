"""Visits: intake's store and the reader dispatch and feedback use."""


def _item(key: str, upload: str, row: int) -> dict:
    return {
        "visit_key": {"S": key},
        "source_upload": {"S": upload},
        "source_row": {"N": str(row)},
        "phone_hash": {"S": f"h-{key}"},
    }


def test_sources_of_names_the_upload_and_row_of_the_stored_visits_only(visit_store):
    """Given two visits stored, When the sources of three keys are asked, Then the two stored
    come back with their upload and row (an integer), and the unknown key is absent."""
    visit_store.put_all([_item("v1", "u1", 2), _item("v2", "u1", 3)])
    assert visit_store.sources_of(["v1", "v2", "v9"]) == {"v1": ("u1", 2), "v2": ("u1", 3)}


def test_a_stored_visit_is_replaced_by_a_second_put(visit_store):
    """Given a visit stored from one upload, When stored again from another, Then the later
    source wins (a redelivered upload overwrites, never duplicates)."""
    visit_store.put_all([_item("v1", "u1", 2)])
    visit_store.put_all([_item("v1", "u2", 7)])
    assert visit_store.sources_of(["v1"]) == {"v1": ("u2", 7)}


def test_a_visit_reads_back_as_plain_values(visit_reader):
    """Given a visit with text and a number, When read, Then the same plain values return
    (the number as an int), and a copy: changing it changes nothing stored."""
    reader, store = visit_reader
    visit = {"visit_key": "v1", "phone": "+919812345678", "office_code": "HLT-1", "source_row": 4}
    store(visit)
    found = reader.get("v1")
    assert found == visit and type(found["source_row"]) is int
    found["phone"] = "changed"
    assert reader.get("v1")["phone"] == "+919812345678"


def test_an_unknown_visit_reads_as_none(visit_reader):
    reader, _ = visit_reader
    assert reader.get("nope") is None
