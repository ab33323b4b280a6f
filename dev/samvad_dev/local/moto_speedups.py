"""Make moto's TransactWriteItems O(items in the transaction), not O(table), same semantics.

moto 5.2 backs up every table a transaction names with ``copy.deepcopy`` before each
operation (several times per transaction), so a table of N items costs O(N) per transaction
and a stream of N events O(N²): the reports' tallies (one marker per event) crawl after a few
thousand events. DynamoDB itself has no such cost.

``install()`` wraps ``transact_write_items``: it saves only the items the transaction names,
lets moto run the transaction with its whole-table copy turned into a no-op, and on any
failure puts the saved items back (deleting those that did not exist), which is exactly what
moto's rollback achieves. Checked by ``tests/adapters/test_reports_adapters.py``.
"""

from __future__ import annotations

import copy
import functools
import types

_INSTALLED = False


def install() -> None:
    global _INSTALLED
    if _INSTALLED:
        return
    from moto.dynamodb import models
    from moto.dynamodb.models.table import Table

    original = models.DynamoDBBackend.transact_write_items

    def no_table_copy(value, memo=None):
        return value if isinstance(value, Table) else copy.deepcopy(value, memo)

    @functools.wraps(original)
    def transact_write_items(self, transact_items):
        saved = []
        for entry in transact_items:
            op = next(iter(entry.values()))
            name = op.get("TableName")
            if name not in self.tables:
                continue
            table = self.tables[name]
            key = op.get("Key") or {
                attr: op["Item"][attr]
                for attr in (table.hash_key_attr, table.range_key_attr)
                if attr is not None and attr in op.get("Item", {})
            }
            try:
                current = self.get_item(name, key)
            except Exception:  # an invalid key: moto's own call reports it
                current = None
            saved.append(
                (name, key, copy.deepcopy(current.to_json()["Attributes"]) if current else None)
            )
        models.copy = types.SimpleNamespace(deepcopy=no_table_copy)
        try:
            return original(self, transact_items)
        except Exception:
            for name, key, attributes in reversed(saved):
                if attributes is None:
                    if self.get_item(name, key) is not None:
                        self.delete_item(name, key)
                else:
                    self.put_item(name, attributes)
            raise
        finally:
            models.copy = copy

    models.DynamoDBBackend.transact_write_items = transact_write_items
    _INSTALLED = True
