"""An in-memory Cases table with DynamoCases' conditions (held to it by tests/contracts)."""

from __future__ import annotations

import copy
from typing import Any


class MemoryCases:
    def __init__(self) -> None:
        self.items: dict[str, dict[str, Any]] = {}

    def create(self, case: dict[str, Any]) -> bool:
        if case["case_id"] in self.items:
            return False
        self.items[case["case_id"]] = copy.deepcopy(case)
        return True

    def get(self, case_id: str) -> dict[str, Any] | None:
        found = self.items.get(case_id)
        return copy.deepcopy(found) if found is not None else None

    def assign(
        self, case_id: str, round_: int, fields: dict[str, Any], entry: dict[str, Any]
    ) -> bool:
        case = self.items.get(case_id)
        if case is None or not case["round"] < round_:
            return False
        self._set(case, {**fields, "round": round_}, entry)
        return True

    def set_wait(
        self, case_id: str, kind: str, round_: int, token: str, fields: dict[str, Any]
    ) -> dict[str, Any] | None:
        case = self._open_at(case_id, round_)
        if case is None:
            return None
        case["waits"][kind] = {"round": round_, "token": token}
        self._set(case, fields, None)
        return copy.deepcopy(case)

    def set_signal(
        self, case_id: str, kind: str, round_: int, signal: dict[str, Any], entry: dict[str, Any]
    ) -> dict[str, Any] | None:
        case = self._open_at(case_id, round_)
        if case is None:
            return None
        signals = case["signals"]
        if kind in signals and signals[kind]["round"] == round_:
            return None  # once per (kind, round)
        if kind == "confirmation" and signals.get("atr", {}).get("round") != round_:
            return None  # a confirmation only after this round's ATR
        signals[kind] = copy.deepcopy(signal)
        self._set(case, {}, entry)
        return copy.deepcopy(case)

    def mark_delivered(self, case_id: str, kind: str, round_: int) -> None:
        signal = self.items.get(case_id, {}).get("signals", {}).get(kind)
        if signal is not None and signal.get("round") == round_:
            signal["delivered"] = True

    def append(
        self, case_id: str, round_: int, fields: dict[str, Any], entry: dict[str, Any]
    ) -> bool:
        case = self.items.get(case_id)
        if case is None or case["round"] != round_:
            return False
        self._set(case, fields, entry)
        return True

    def _open_at(self, case_id: str, round_: int) -> dict[str, Any] | None:
        case = self.items.get(case_id)
        if case is None or case["round"] != round_ or case.get("status") == "resolved":
            return None
        return case

    @staticmethod
    def _set(case: dict[str, Any], fields: dict[str, Any], entry: dict[str, Any] | None) -> None:
        case.update(copy.deepcopy(fields))
        if entry is not None:
            case["audit"].append(copy.deepcopy(entry))
