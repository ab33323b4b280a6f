"""The analytics lake: each day's pseudonymised facts as Parquet, queried with SQL.

``schema`` names the tables and their columns (shared with the CDK's Glue catalog), ``facts``
turns domain events into fact rows, ``export`` buffers them and writes a day's partitions
(``lake/<table>/date=YYYY-MM-DD/part-00000.parquet``), ``query`` runs SQL over them with
DuckDB (locally) or Athena (through a port), ``saved`` loads the shipped queries.
"""
