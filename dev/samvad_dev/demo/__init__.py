"""Demo data: Odisha reference catalog and a deterministic synthetic-visit generator."""

from samvad_dev.demo.synthetic import (
    DEFAULT_HEADER,
    INJECTED_KINDS,
    Office,
    SyntheticDay,
    build_offices,
    generate_visits,
    header_for,
    iter_visit_rows,
    write_bench_csv,
    write_csv,
    write_day,
    write_jsonl,
    write_xlsx,
)

__all__ = [
    "DEFAULT_HEADER",
    "INJECTED_KINDS",
    "Office",
    "SyntheticDay",
    "build_offices",
    "generate_visits",
    "header_for",
    "iter_visit_rows",
    "write_bench_csv",
    "write_csv",
    "write_day",
    "write_jsonl",
    "write_xlsx",
]
