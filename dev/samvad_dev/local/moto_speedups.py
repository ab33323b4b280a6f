"""moto's costs that AWS itself does not have, removed with the same semantics.

``install()`` patches moto 5.2 in this process (``LocalCloud.start`` calls it; importing this
module changes nothing). Each patch keeps moto's results and errors; each is checked against
unpatched moto in ``tests/adapters/test_moto_speedups.py``. What each removes, measured on the
demo (docs/local-runtime.md, "Where the time goes"):

- **Queries** (``_queries_read_one_partition``): moto sorted the whole table on every
  ``Query`` (O(N log N) comparisons of DynamoDB values), then kept one partition. A query of
  the table reads its partition; a query of an index reads the items unsorted, then sorts the
  matches as moto does (by the index's key, then the table's: a total order, so the input
  order never mattered).
- **Update expressions** (``_update_expressions_parsed_once``, ``_fast_ast_traversal``,
  ``_expression_trees_copied_directly``): each ``UpdateItem`` parsed its expression twice,
  deep-copied the tree and walked it ten times looking up the same class tables at every
  node. A parsed expression is kept by its text (moto's validator works on a copy, so the
  kept tree is never changed), each copy is unpickled from the tree pickled once, and the
  walk resolves each node class once per walk.
- **Transactions** (``_transactions_copy_their_items``): moto backs up every table a
  transaction names with ``copy.deepcopy`` before each operation, so a stream of N events
  cost O(N²) in the reports' tallies. Only the items the transaction names are saved, and
  put back on failure, which is what moto's rollback achieves.
- **Projections** (``_projections_convert_once``): ``Item.project`` converted the whole item
  to JSON once per projected attribute.
- **Item sizes** (``_item_sizes_summed_directly``): every attribute written to an item
  (each action of an update, each attribute of a new item) summed the size of the whole item
  through ``DynamoType.size`` to check the 400 KB limit; the tallies' rollups hold hundreds
  of counters. The same sum, with numbers and strings measured inline.
- **EventBridge targets** (``_event_inputs_parsed_once``): each event delivered to a target
  built eight JSONPath parsers (a PLY grammar each) for the default input template; they are
  parsed once.
- **SQS** (``_sqs_retention_read_directly``, ``_sqs_sends_read_deduplication_directly``,
  ``_response_methods_listed_once``): each received message computed every queue attribute
  three times (each a pass over the queue's messages) to read its retention period, and each
  sent message (an EventBridge delivery too) to read ``ContentBasedDeduplication``; each
  request listed its response class's methods with ``inspect.getmembers``.
"""

from __future__ import annotations

import contextlib
import copy
import functools
import json
import threading
import types
from collections.abc import Iterator
from typing import Any

_INSTALLED = False


def install() -> None:
    """Apply every patch, once per process."""
    global _INSTALLED
    if _INSTALLED:
        return
    _transactions_copy_their_items()
    _projections_convert_once()
    _item_sizes_summed_directly()
    _queries_read_one_partition()
    _update_expressions_parsed_once()
    _fast_ast_traversal()
    _expression_checks_once()
    _expression_trees_copied_directly()
    _attribute_values_serialised_directly()
    _event_inputs_parsed_once()
    _sqs_retention_read_directly()
    _sqs_sends_read_deduplication_directly()
    _response_methods_listed_once()
    _s3_url_table_built_once()
    _updates_copy_only_what_they_use()
    _request_ids_set_in_xml_only()
    _json_errors_without_xml()
    _strings_compared_directly()
    _requests_routed_once()
    _dynamodb_requests_one_at_a_time()
    _INSTALLED = True


def _dynamodb_requests_one_at_a_time() -> None:
    """A correctness patch, not a speed-up: moto's DynamoDB is not thread-safe. The Step
    Functions engine's threads update a case item (``dynamodb:updateItem``) while a handler
    updates the same item, and moto's ``copy.deepcopy`` of it then fails ("dictionary changed
    size during iteration"), which the engine takes for an unhandled Task error and the case
    stalls. DynamoDB serialises writes to an item; here one DynamoDB request at a time is
    handled (its handling never waits on another thread, so the lock cannot deadlock)."""
    import threading

    from moto.dynamodb.responses import DynamoHandler

    lock = threading.RLock()
    call_action = DynamoHandler.call_action

    def one_at_a_time(self):  # type: ignore[no-untyped-def]
        with lock:
            return call_action(self)

    DynamoHandler.call_action = one_at_a_time  # type: ignore[method-assign]


def _transactions_copy_their_items() -> None:
    from moto.dynamodb import models
    from moto.dynamodb.models.table import Table

    original = models.DynamoDBBackend.transact_write_items

    def no_table_copy(value):
        return value if isinstance(value, Table) else copy.deepcopy(value)

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
            saved.append((name, key, _attributes_copy(current) if current else None))
        try:
            with _copies_skipped(models, no_table_copy):
                return original(self, transact_items)
        except Exception:
            for name, key, attributes in reversed(saved):
                if attributes is None:
                    if self.get_item(name, key) is not None:
                        self.delete_item(name, key)
                else:
                    self.put_item(name, attributes)
            raise

    models.DynamoDBBackend.transact_write_items = transact_write_items


def _attributes_copy(item: Any) -> dict:
    """An item's attributes in wire form, safe to keep while the item changes: strings and
    numbers are immutable and kept as they are, anything else is deep-copied."""
    scalar = ("S", "N", "BOOL", "NULL")
    return {
        name: (dict(value) if next(iter(value)) in scalar else copy.deepcopy(value))
        for name, value in item.to_json()["Attributes"].items()
    }


def _projections_convert_once() -> None:
    from moto.dynamodb.models import dynamo_type
    from moto.dynamodb.models.dynamo_type import Item
    from moto.dynamodb.models.utilities import find_nested_key

    def project(self, projection_expressions):
        plain = self.to_regular_json()
        result: dict = {}
        for expr in projection_expressions:
            dynamo_type.merge_dicts(result, copy.deepcopy(find_nested_key(expr, plain)))
        return Item(
            hash_key=self.hash_key,
            range_key=self.range_key,
            attrs=dynamo_type.serializer.serialize(result)["M"],
        )

    Item.project = project


def _item_sizes_summed_directly() -> None:
    """``LimitedSizeDict.__setitem__`` as moto checks it (every key's UTF-8 length and every
    value's ``DynamoType.size()`` plus the new pair's, refused over 405,000 bytes), with a
    number's size (its text's length) and a string's (its UTF-8 length) taken inline, not
    through ``size()``'s chain of type tests; other values take ``size()``."""
    from moto.dynamodb.exceptions import ItemSizeTooLarge
    from moto.dynamodb.models.dynamo_type import DynamoType, LimitedSizeDict
    from moto.dynamodb.models.utilities import bytesize

    limit = 405000

    def size_of(value: Any) -> int:
        if type(value) is not DynamoType:
            return bytesize(str(value))
        kind, inner = value.type, value.value
        if kind == "N":
            return len(str(inner))
        if kind == "S" and type(inner) is str:
            return len(inner) if inner.isascii() else len(inner.encode("utf-8"))
        return value.size()

    def set_within_limit(self, key, value):  # type: ignore[no-untyped-def]
        current = 0
        for name, held in dict.items(self):
            if type(name) is str and name.isascii():
                current += len(name)
            else:
                current += bytesize(str(name))
            if type(held) is DynamoType and held.type == "N":
                current += len(str(held.value))
            else:
                current += size_of(held)
        if current + bytesize(key) + size_of(value) > limit:
            raise ItemSizeTooLarge
        dict.__setitem__(self, key, value)

    LimitedSizeDict.__setitem__ = set_within_limit  # type: ignore[method-assign,assignment]


def _queries_read_one_partition() -> None:
    """``Table.query`` reads ``all_items()``, which sorts the table; inside a query (this
    thread's), ``all_items()`` returns the queried partition (or, for an index or a key not
    found as such, every item) unsorted. moto's query then filters and sorts what it kept."""
    import inspect

    from moto.dynamodb.models.table import Table

    query, all_items = Table.query, Table.all_items
    signature = inspect.signature(query)
    local = threading.local()

    @functools.wraps(query)
    def scoped_query(self, *args, **kwargs):
        bound = signature.bind(self, *args, **kwargs)
        partition = None if bound.arguments.get("index_name") else bound.arguments["hash_key"]
        outer = getattr(local, "query", None)
        local.query = (self, partition)
        try:
            return query(self, *args, **kwargs)
        finally:
            local.query = outer

    @functools.wraps(all_items)
    def items_for_query(self):
        scope = getattr(local, "query", None)
        if scope is None or scope[0] is not self:
            return all_items(self)
        partition = scope[1]
        if partition is not None and partition in self.items:
            found = self.items[partition]
            return list(found.values()) if self.range_key_attr else [found]
        if self.range_key_attr:
            return [item for group in self.items.values() for item in group.values()]
        return list(self.items.values())

    Table.query = scoped_query
    Table.all_items = items_for_query


def _update_expressions_parsed_once() -> None:
    from moto.dynamodb.parsing.expressions import UpdateExpressionParser

    make = UpdateExpressionParser.make.__func__
    cached = functools.lru_cache(maxsize=4096)(lambda cls, text: make(cls, text))

    def parsed(cls, expression_str):
        return cached(cls, expression_str)

    UpdateExpressionParser.make = classmethod(parsed)


def _fast_ast_traversal() -> None:
    """``DepthFirstTraverser.traverse`` as moto walks (children first, left to right, with
    ``pre_processing_of_child``; a processed node replaces itself in its parent), with what
    each node's class decides looked up once per class: whether it is a ``Node`` (an ABC,
    whose ``isinstance`` is slow) and its processor; the base class's no-op
    ``pre_processing_of_child`` is not called."""
    from moto.dynamodb.parsing.ast_nodes import DepthFirstTraverser, Node

    is_node: dict[type, bool] = {}
    no_op = DepthFirstTraverser.pre_processing_of_child

    def traverse(self, node):
        mapping = list(self._processing_map().items())
        chosen: dict[type, Any] = {}
        pre = None if type(self).pre_processing_of_child is no_op else self.pre_processing_of_child

        def visit(node, child_id=-1):
            kind = type(node)
            node_kind = is_node.get(kind)
            if node_kind is None:
                node_kind = is_node[kind] = issubclass(kind, Node)
            if not node_kind:
                return node
            parent = node.parent
            children = node.children
            if children is not None:
                for i, child in enumerate(children):
                    if pre is not None:
                        pre(node, i)
                    visit(child, i)
            if kind in chosen:
                process = chosen[kind]
            else:
                process = chosen[kind] = next(
                    (f for cls, f in mapping if issubclass(kind, cls)), None
                )
            if process is not None:
                node = process(node)
                node.parent = parent
                if parent:
                    parent.children[child_id] = node
            return node

        return visit(node)

    DepthFirstTraverser.traverse = traverse


def _expression_checks_once() -> None:
    """The checks of an update expression that read nothing but the expression, its
    attribute names and the table's key (the action count, overlapping paths, no key
    updated: moto's first three processors, pure functions of those) pass or fail the same
    way every time: once passed, they are skipped for the same three."""
    from moto.dynamodb.parsing.validators import (
        ActionCountValidator,
        OverlappingPathsValidator,
        UpdateExpressionValidator,
        UpdateHashRangeKeyValidator,
    )

    pure = (ActionCountValidator, OverlappingPathsValidator, UpdateHashRangeKeyValidator)
    passed: dict[tuple, bool] = {}
    init = UpdateExpressionValidator.__init__

    @functools.wraps(init)
    def remember_source(self, expression, *args, **kwargs):
        init(self, expression, *args, **kwargs)
        self.source_expression = expression

    def validate(self):
        names = self.expression_attribute_names or {}
        key = (
            id(self.source_expression),
            self.source_expression,  # held: its id is not reused while the key lives
            tuple(sorted(names.items())),
            tuple(self.table.table_key_attrs),
        )
        processors = list(self.processors)
        checks = 0
        while checks < len(processors) and isinstance(processors[checks], pure):
            checks += 1
        node = self.node_to_validate
        if key in passed:
            processors = processors[checks:]
        for n, processor in enumerate(processors):
            node = processor.traverse(node)
            if n + 1 == checks and key not in passed:
                if len(passed) > 10_000:
                    passed.clear()
                passed[key] = True
        return node

    UpdateExpressionValidator.__init__ = remember_source
    UpdateExpressionValidator.validate = validate


def _expression_trees_copied_directly() -> None:
    """moto's validator deep-copies the parsed expression tree before every update (~100
    nodes through ``copy``'s generic reduce protocol). The parsed trees are kept by their text
    and never changed (``_update_expressions_parsed_once``), so each is pickled once and every
    copy is an unpickling: the same fresh tree, made by ``pickle``'s C code (4x faster than a
    copy in Python). Anything else (``list_append``'s values) goes to ``copy.deepcopy``."""
    import pickle

    from moto.dynamodb.parsing import validators
    from moto.dynamodb.parsing.ast_nodes import Node

    pickled: dict[int, tuple[Any, bytes]] = {}  # id → (the tree, held so its id stays its own)

    def tree_copy(value, memo=None):
        if not isinstance(value, Node):
            return copy.deepcopy(value, memo)
        kept = pickled.get(id(value))
        if kept is None or kept[0] is not value:
            if len(pickled) > 4096:
                pickled.clear()
            kept = pickled[id(value)] = (value, pickle.dumps(value, pickle.HIGHEST_PROTOCOL))
        return pickle.loads(kept[1])

    validators.deepcopy = tree_copy


def _attribute_values_serialised_directly() -> None:
    """DynamoDB's responses hold items as AttributeValue dicts, already in their wire form;
    moto's serializer looked each of their ten members up through its alias providers.
    Strings, numbers, booleans, nulls, string and number sets, maps and lists of those are
    written as they are (what the serializer writes for them); anything else (binary) takes
    moto's path."""
    from moto.core.serialize import JSONSerializer

    scalar = {"S", "N", "BOOL", "NULL"}
    sets = {"SS", "NS"}

    def wire(value):
        if not isinstance(value, dict) or len(value) != 1:
            return None
        ((kind, inner),) = value.items()
        if kind in ("S", "N") and isinstance(inner, str):
            return {kind: inner}
        if kind in scalar - {"S", "N"} and isinstance(inner, bool):
            return {kind: inner}
        if kind in sets and isinstance(inner, list) and all(isinstance(v, str) for v in inner):
            return {kind: list(inner)}
        if kind == "M" and isinstance(inner, dict):
            members = {name: wire(member) for name, member in inner.items()}
            return None if any(m is None for m in members.values()) else {"M": members}
        if kind == "L" and isinstance(inner, list):
            elements = [wire(element) for element in inner]
            return None if any(e is None for e in elements) else {"L": elements}
        return None

    structure = JSONSerializer._serialize_type_structure

    @functools.wraps(structure)
    def serialize_structure(self, serialized, value, shape, key):
        if key and shape.name == "AttributeValue":
            fast = wire(value)
            if fast is not None:
                self._default_serialize(serialized, fast, shape, key)
                return
        structure(self, serialized, value, shape, key)

    JSONSerializer._serialize_type_structure = serialize_structure


def _event_inputs_parsed_once() -> None:
    from jsonpath_ng.ext import parse
    from moto.events.utils import EventTemplateParser

    compiled = functools.lru_cache(maxsize=256)(parse)

    def render(input_template, input_paths_map, event):
        """moto's ``EventTemplateParser.parse``, each JSONPath compiled once."""
        template = input_template or EventTemplateParser.DEFAULT_EVENT_INPUT_TEMPLATE
        paths = input_paths_map or EventTemplateParser.DEFAULT_EVENT_INPUT_PATHS_MAP
        for name in paths:
            matches = compiled(paths[name]).find(event)
            result = EventTemplateParser._stringify(matches[0].value) if matches else None
            if result:
                template = template.replace(f"<{name}>", result)
        defaults = {
            "aws.events.event.json": event,
            "aws.events.event.ingestion-time": event["ingestion-time"],
        }
        for name, value in defaults.items():
            template = template.replace(f"<{name}>", EventTemplateParser._stringify(value))
        return json.loads(template)

    EventTemplateParser.parse = staticmethod(render)


def _sqs_retention_read_directly() -> None:
    from moto.sqs import models
    from moto.sqs.models import SQSBackend

    def is_message_valid_based_on_retention_period(self, queue_name, message):
        queue = self.get_queue(queue_name)
        retain_until = queue.message_retention_period + message.sent_timestamp / 1000
        return retain_until > models.unix_time()

    original = SQSBackend.get_queue_attributes

    @functools.wraps(original)
    def get_queue_attributes(self, queue_name, attribute_names):
        if not attribute_names or "All" in attribute_names:
            return original(self, queue_name, attribute_names)
        queue = self.get_queue(queue_name)
        valid = ["All", *queue.BASE_ATTRIBUTES, *queue.FIFO_ATTRIBUTES, *queue.KMS_ATTRIBUTES]
        if any(name not in valid for name in attribute_names):
            return original(self, queue_name, attribute_names)  # moto's error
        every = queue.attributes  # once, not three times per name
        return {
            name: every[name]
            for name in attribute_names
            if name in every and every.get(name) is not None
        }

    SQSBackend.is_message_valid_based_on_retention_period = (
        is_message_valid_based_on_retention_period
    )
    SQSBackend.get_queue_attributes = get_queue_attributes


def _sqs_sends_read_deduplication_directly() -> None:
    """While a message is sent, ``Queue.attributes`` (read there only for
    ``ContentBasedDeduplication``, by the send, its checks and the FIFO queue's add) holds
    that one attribute, as moto computes it: only a FIFO queue has it, a bool written
    ``true``/``false``. Elsewhere, every attribute as before."""
    from moto.sqs.models import Queue, SQSBackend

    every = Queue.attributes.fget
    sending = threading.local()

    def attributes(self):  # type: ignore[no-untyped-def]
        if not getattr(sending, "active", False):
            return every(self)
        if not self.fifo_queue:
            return {}
        value = self.content_based_deduplication
        return {
            "ContentBasedDeduplication": str(value).lower() if isinstance(value, bool) else value
        }

    def scoped(send):  # type: ignore[no-untyped-def]
        @functools.wraps(send)
        def send_scoped(self, *args, **kwargs):  # type: ignore[no-untyped-def]
            outer = getattr(sending, "active", False)
            sending.active = True
            try:
                return send(self, *args, **kwargs)
            finally:
                sending.active = outer

        return send_scoped

    Queue.attributes = property(attributes)  # type: ignore[method-assign,assignment]
    SQSBackend.send_message = scoped(SQSBackend.send_message)  # type: ignore[method-assign]
    SQSBackend.send_message_batch = scoped(SQSBackend.send_message_batch)  # type: ignore[method-assign]


def _response_methods_listed_once() -> None:
    from moto.core import responses

    responses.method_names_from_class = functools.lru_cache(maxsize=None)(
        responses.method_names_from_class
    )


def _s3_url_table_built_once() -> None:
    """moto reloaded ``moto.s3.urls`` from disk for every S3 request (``S3Backend._url_module``)
    in case ``MOTO_S3_CUSTOM_ENDPOINTS`` changed: ~0.4 ms of each call. It is reloaded when
    that setting differs from the last load, as the reload would have read it."""
    from importlib import reload

    import moto.s3.urls as urls
    from moto import settings
    from moto.s3.models import S3Backend

    loaded: dict[str, tuple[str, ...]] = {}

    def url_module(self: Any) -> Any:
        endpoints = tuple(settings.get_s3_custom_endpoints())
        if loaded.get("endpoints") != endpoints:
            reload(urls)
            loaded["endpoints"] = endpoints
        return urls

    S3Backend._url_module = property(url_module)  # type: ignore[method-assign,assignment]


def _request_ids_set_in_xml_only() -> None:
    """Every response body was searched with a look-behind regular expression for an XML
    ``<RequestId>`` to replace; a body without that tag (every JSON response: DynamoDB's
    items, whole configuration documents) is left as it is without the search. Its request
    id (52 letters and digits, drawn one ``choice`` at a time) is drawn in one ``choices``."""
    import string

    from moto.core.responses import BaseResponse
    from moto.moto_api._internal import mock_random

    enrich = BaseResponse._enrich_response
    pool = string.ascii_letters + string.digits

    def enrich_response(headers: dict, body: Any) -> tuple[dict, Any]:
        if isinstance(body, str) and "<RequestId>" not in body:
            if "status" in headers:
                headers["status"] = str(headers["status"])
            headers["x-amzn-requestid"] = "".join(mock_random.choices(pool, k=52))
            return headers, body
        return enrich(headers, body)

    BaseResponse._enrich_response = staticmethod(enrich_response)  # type: ignore[method-assign]


def _updates_copy_only_what_they_use() -> None:
    """``DynamoHandler.update_item`` copies the item before the update (and converts the copy
    to JSON) to find the old and changed attributes: only ``ALL_OLD`` and ``UPDATED_*`` return
    them, so for ``NONE`` and ``ALL_NEW`` the copy is left out (no old attributes: the changed
    set it feeds is read by ``UPDATED_OLD`` alone). ``DynamoDBBackend.update_item`` copies the
    item for the table's stream record: without a stream, nothing reads that copy."""
    from moto.dynamodb import models, responses
    from moto.dynamodb.models import DynamoDBBackend
    from moto.dynamodb.responses import DynamoHandler

    handle, apply = DynamoHandler.update_item, DynamoDBBackend.update_item

    @functools.wraps(handle)
    def handle_update(self: Any) -> Any:
        if self.body.get("ReturnValues", "NONE") not in ("NONE", "ALL_NEW"):
            return handle(self)
        with _copies_skipped(responses, lambda item: None):
            return handle(self)

    @functools.wraps(apply)
    def apply_update(self: Any, table_name: str, *args: Any, **kwargs: Any) -> Any:
        table = self.tables.get(table_name)
        if table is None or table.stream_shard is not None:
            return apply(self, table_name, *args, **kwargs)
        with _copies_skipped(models, lambda item: item):
            return apply(self, table_name, *args, **kwargs)

    DynamoHandler.update_item = handle_update  # type: ignore[method-assign]
    DynamoDBBackend.update_item = apply_update  # type: ignore[method-assign]


_skipped_copies = threading.local()


@contextlib.contextmanager
def _copies_skipped(module: types.ModuleType, instead: Any) -> Iterator[None]:
    """While this thread is inside, ``module``'s ``copy.deepcopy(value)`` is ``instead(value)``
    (the module's ``copy`` is replaced once by a hook that asks this thread's setting)."""
    name = module.__name__
    if not isinstance(module.copy, _CopyHook):
        module.copy = _CopyHook(name)
    previous = getattr(_skipped_copies, name, None)
    setattr(_skipped_copies, name, instead)
    try:
        yield
    finally:
        setattr(_skipped_copies, name, previous)


class _CopyHook:
    """A module's ``copy``: ``deepcopy`` as the standard library's, unless this thread is
    inside ``_copies_skipped`` for the module."""

    def __init__(self, module: str) -> None:
        self._module = module

    def deepcopy(self, value: Any, memo: Any = None) -> Any:
        instead = getattr(_skipped_copies, self._module, None)
        return copy.deepcopy(value, memo) if instead is None else instead(value)


def _json_errors_without_xml() -> None:
    """``JsonRESTError`` (every DynamoDB error, also the ``ProvidedKeyDoesNotExist`` that an
    ``ADD`` to a new attribute raises and catches) first let ``_RESTError`` render an XML
    body with ``xmltodict``, then replaced it with its JSON body. The same attributes, the
    XML left out."""
    from moto.core.exceptions import JsonRESTError, _RESTError

    def __init__(self: Any, error_type: str, message: str, _: str = "", **kwargs: Any) -> None:
        super(_RESTError, self).__init__()  # werkzeug's HTTPException, as _RESTError does
        self.error_type = error_type
        self.message = message
        self.description = json.dumps({"__type": self.error_type, "message": self.message})
        self.content_type = "application/json"

    JsonRESTError.__init__ = __init__  # type: ignore[method-assign]


def _strings_compared_directly() -> None:
    """``DynamoType`` compares values through ``cast_value`` (a property that tests the type
    five times); two strings (keys, the partitions a query keeps, the sort of its results)
    compare as their values, which is what ``cast_value`` returns for them."""
    from moto.dynamodb.models.dynamo_type import DynamoType

    def fast(name: str) -> None:
        slow = getattr(DynamoType, name)
        compare = getattr(str, name)

        @functools.wraps(slow)
        def method(self: Any, other: Any) -> Any:
            if self.type == "S" and getattr(other, "type", None) == "S":
                return compare(self.value, other.value)
            return slow(self, other)

        setattr(DynamoType, name, method)

    for name in ("__eq__", "__ne__", "__lt__", "__le__", "__gt__", "__ge__"):
        fast(name)


def _requests_routed_once() -> None:
    """``BotocoreStubber.process_request`` as moto runs it, with what depends only on the URL
    (and the two settings that change moto's URL tables) kept per URL: the services whose
    pattern matches it, in moto's order, and each one's handler for it. moto matched the URL
    against up to 183 service patterns and rebuilt and recompiled the service's URL table on
    every request. The passthrough and whitelist settings are read on every request, as
    before."""
    import re

    import moto.backend_index as backend_index
    import moto.backends as backends
    from moto import settings
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.core.base_backend import BackendDict
    from moto.core.botocore_stubber import BotocoreStubber
    from moto.core.config import passthrough_service, passthrough_url, service_whitelisted
    from moto.core.exceptions import HTTPException, ServiceNotWhitelisted
    from moto.core.request import normalize_request
    from moto.core.utils import get_equivalent_url_in_aws_domain
    from moto.moto_api import recorder

    services: dict[tuple, list[str]] = {}
    handlers: dict[tuple, Any] = {}

    def tables() -> tuple:
        return settings.enable_iso_regions(), tuple(settings.get_s3_custom_endpoints())

    def handler_for(service: str, clean_url: str, key: tuple) -> Any:
        if (service, key) not in handlers:
            backend_dict = backends.get_backend(service)  # type: ignore[call-overload]
            if isinstance(backend_dict, BackendDict):
                if "us-east-1" in backend_dict[DEFAULT_ACCOUNT_ID]:
                    backend = backend_dict[DEFAULT_ACCOUNT_ID]["us-east-1"]
                else:
                    backend = backend_dict[DEFAULT_ACCOUNT_ID]["aws"]
            else:
                backend = backend_dict["global"]
            handlers[(service, key)] = next(
                (
                    method
                    for url, method in backend.urls.items()
                    if re.compile(url).match(clean_url)
                ),
                None,
            )
        return handlers[(service, key)]

    def process_request(self: Any, request: Any) -> Any:
        parsed_url, _ = get_equivalent_url_in_aws_domain(request.url)
        clean_url = f"{parsed_url.scheme}://{parsed_url.netloc}{parsed_url.path}"
        if passthrough_url(clean_url):
            return None
        key = (clean_url, *tables())
        if key not in services:
            if len(services) > 20_000:
                services.clear()
                handlers.clear()
            services[key] = [
                service
                for service, pattern in backend_index.backend_url_patterns
                if pattern.match(clean_url)
            ]
        for service in services[key]:
            if passthrough_service(service):
                return None
            if not service_whitelisted(service):
                raise ServiceNotWhitelisted(service)
            method_to_execute = handler_for(service, clean_url, key)
            if method_to_execute is None:
                continue
            normalized_request = normalize_request(request)
            try:
                recorder._record_request(normalized_request)
                status, headers, body = method_to_execute(
                    normalized_request, normalized_request.raw_url, normalized_request.headers
                )
            except HTTPException as e:
                status = e.code
                headers = e.get_headers()
                body = e.get_body()
            return status, headers, body
        if re.compile(r"https?://.+\.amazonaws.com/.*").match(clean_url):
            return 404, {}, "Not yet implemented"
        return None

    BotocoreStubber.process_request = process_request  # type: ignore[method-assign]
