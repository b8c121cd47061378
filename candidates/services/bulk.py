"""Many rows in one statement, from tuples: the profile import's write path.

Django's ``bulk_create`` builds a model instance per row and prepares every value through the
field (``get_db_prep_save``): at 10,000 candidates and 9,600 profiles that machinery, not the
database, was most of the import's time (docs/performance.md). These helpers take plain tuples
whose values are already what the column stores, prepare each *column* once (a converter per
field, not per value), and send:

- on PostgreSQL, ``COPY … FROM STDIN`` (text format, built here with its escapes), ids taken
  beforehand from the table's sequence when the caller needs them; updates ``COPY`` into a
  temporary table, then one ``UPDATE … FROM`` it. (A first version sent one
  ``unnest(ARRAY[…])`` per column: psycopg2 writes such arrays as SQL expressions, 3.7 MB of
  statement text for 5,000 candidates, and PostgreSQL spent seconds parsing them.)
- on SQLite, multi-row ``INSERT … VALUES … RETURNING id`` within SQLite's parameter limit.

Fields not given take their model default (computed once per call; ``auto_now``,
``auto_now_add`` and a ``timezone.now`` default take ``now``), so a field added to a model
later with a default keeps working. Ids come back in the order of the rows, as
``bulk_create`` relies on.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Sequence

from django.db import connection, models, transaction
from django.db.models.expressions import RawSQL
from django.utils import timezone

SQLITE_MAX_PARAMS = 999  # the historical limit, when the library does not say


def _sqlite_max_params() -> int:
    """SQLite's limit of parameters per statement (32,766 since SQLite 3.32)."""
    import sqlite3

    connection.ensure_connection()
    try:
        return connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    except (AttributeError, sqlite3.Error):  # Python < 3.11
        return SQLITE_MAX_PARAMS


def _converter(field: models.Field) -> Callable:
    """A function turning a Python value into what the driver stores for this column."""
    vendor = connection.vendor
    if isinstance(field, models.JSONField):
        encoder = field.encoder

        def to_json(value):
            return None if value is None else json.dumps(value, cls=encoder)

        return to_json
    if vendor == "postgresql":
        return _same  # psycopg2 adapts str, int, bool, Decimal, date and aware datetime
    ops = connection.ops
    if isinstance(field, models.DateTimeField):
        return ops.adapt_datetimefield_value
    if isinstance(field, models.DateField):
        return ops.adapt_datefield_value
    if isinstance(field, models.DecimalField):
        digits, places = field.max_digits, field.decimal_places
        return lambda value: ops.adapt_decimalfield_value(value, digits, places)
    return _same


def _same(value):
    return value


# COPY's text format: tab-separated, \N for NULL, backslash escapes.
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
_NULL = "\\N"


def _formatter(field: models.Field) -> Callable:
    """A function writing one value of this column in COPY's text format."""
    if isinstance(field, models.JSONField):
        encoder = field.encoder
        return lambda v: _NULL if v is None else json.dumps(v, cls=encoder).translate(_COPY_ESCAPES)
    if isinstance(field, models.BooleanField):
        return lambda v: _NULL if v is None else ("t" if v else "f")
    if isinstance(field, models.DateField):  # DateTimeField too: ISO 8601, with the offset
        return lambda v: _NULL if v is None else v.isoformat()
    if isinstance(field, (models.IntegerField, models.DecimalField, models.AutoField)):
        return lambda v: _NULL if v is None else str(v)
    return lambda v: _NULL if v is None else str(v).translate(_COPY_ESCAPES)


def _copy(cursor, sql: str, fields, rows, *, tail_text: str = "") -> None:
    """``COPY … FROM STDIN`` of ``rows`` (values in the order of ``fields``), each line ending
    with ``tail_text`` (the columns every row shares)."""
    formatters = [_formatter(f) for f in fields]
    end = tail_text + "\n"
    text = "".join(
        "\t".join([fmt(v) for fmt, v in zip(formatters, row, strict=True)]) + end for row in rows
    )
    cursor.copy_expert(sql, io.StringIO(text))


def _default(field: models.Field, now):
    if (
        getattr(field, "auto_now", False)
        or getattr(field, "auto_now_add", False)
        or field.default is timezone.now
    ):
        return now  # the injected time, as the rest of the import uses
    return field.get_default()


def insert_rows(
    model: type[models.Model],
    field_names: Sequence[str],
    rows: Sequence[tuple],
    *,
    now,
    returning: bool = False,
) -> list[int]:
    """Insert ``rows`` (tuples in the order of ``field_names``, attnames such as
    ``candidate_id``) into ``model``'s table; the ids when ``returning``."""
    if not rows:
        return []
    meta = model._meta
    given = [meta.get_field(name) for name in field_names]
    given_names = {f.attname for f in given}
    rest = [
        f
        for f in meta.concrete_fields
        if not f.primary_key and f.attname not in given_names and not f.generated
    ]
    fields = given + rest
    converters = [_converter(f) for f in fields]
    defaults = tuple(
        conv(_default(f, now)) for f, conv in zip(rest, converters[len(given) :], strict=True)
    )
    qn = connection.ops.quote_name
    table = qn(meta.db_table)
    columns = ", ".join(qn(f.column) for f in fields)
    tail = f" RETURNING {qn(meta.pk.column)}" if returning else ""
    given_converters = [
        (i, conv) for i, conv in enumerate(converters[: len(given)]) if conv is not _same
    ]
    ids: list[int] = []
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            if returning:
                cursor.execute(
                    "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                    [meta.db_table, meta.pk.column, len(rows)],
                )
                ids = [r[0] for r in cursor.fetchall()]
                given = [meta.pk, *given]
                rows = [(i, *row) for i, row in zip(ids, rows, strict=True)]
            copy_columns = ", ".join(qn(f.column) for f in [*given, *rest])
            _copy(
                cursor,
                f"COPY {table} ({copy_columns}) FROM STDIN",  # noqa: S608 - quoted names
                given,
                rows,
                tail_text="".join("\t" + _formatter(f)(_default(f, now)) for f in rest),
            )
            return ids
        per_row = len(fields)
        size = max(1, _sqlite_max_params() // per_row)
        one = "(" + ", ".join(["%s"] * per_row) + ")"
        for start in range(0, len(rows), size):
            batch = rows[start : start + size]
            params = []
            for row in batch:
                values = list(row)
                for i, conv in given_converters:
                    values[i] = conv(values[i])
                params += values
                params += defaults
            values_sql = ", ".join([one] * len(batch))
            sql = f"INSERT INTO {table} ({columns}) VALUES {values_sql}{tail}"  # noqa: S608
            cursor.execute(sql, params)
            if returning:
                ids += [r[0] for r in cursor.fetchall()]
    return ids


def update_rows(
    model: type[models.Model],
    field_names: Sequence[str],
    rows: Sequence[tuple],
    *,
    batch_size: int | None = None,
) -> None:
    """Set ``field_names`` of many rows, each tuple being ``(pk, *values)``: one
    ``UPDATE … FROM`` (a temporary table filled by ``COPY`` on PostgreSQL, ``VALUES`` per
    batch on SQLite).
    Django's ``bulk_update`` builds a ``CASE WHEN`` per field and row instead."""
    if not rows:
        return
    meta = model._meta
    fields = [meta.get_field(name) for name in field_names]
    converters = [(i + 1, _converter(f)) for i, f in enumerate(fields)]
    converters = [(i, c) for i, c in converters if c is not _same]
    qn = connection.ops.quote_name
    table, pk = qn(meta.db_table), qn(meta.pk.column)
    names = ["id", *(f"v{i}" for i in range(len(fields)))]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            columns = [f"id {meta.pk.db_type(connection)}"] + [
                f"v{i} {f.db_type(connection)}" for i, f in enumerate(fields)
            ]
            assignments = ", ".join(f"{qn(f.column)} = v.v{i}" for i, f in enumerate(fields))
            with transaction.atomic(using=connection.alias):
                cursor.execute(f"CREATE TEMPORARY TABLE bulk_update_rows ({', '.join(columns)})")
                _copy(cursor, "COPY bulk_update_rows FROM STDIN", [meta.pk, *fields], rows)
                cursor.execute(
                    f"UPDATE {table} SET {assignments} "  # noqa: S608 - names are quoted
                    f"FROM bulk_update_rows AS v WHERE {table}.{pk} = v.id"
                )
                cursor.execute("DROP TABLE bulk_update_rows")
            return
        assignments = ", ".join(f"{qn(f.column)} = v.v{i}" for i, f in enumerate(fields))
        per_row = len(fields) + 1
        size = batch_size or max(1, _sqlite_max_params() // per_row)
        one = "(" + ", ".join(["%s"] * per_row) + ")"
        for start in range(0, len(rows), size):
            batch = rows[start : start + size]
            params = []
            for row in batch:
                values = list(row)
                for i, conv in converters:
                    values[i] = conv(values[i])
                params += values
            sql = (
                f"WITH v({', '.join(names)}) AS (VALUES {', '.join([one] * len(batch))}) "  # noqa: S608
                f"UPDATE {table} SET {assignments} FROM v WHERE {table}.{pk} = v.id"
            )
            cursor.execute(sql, params)


def values_in(values, db_type: str):
    """An expression for ``filter(field__in=values_in(ids, "bigint"))`` that sends the values as
    one parameter (a PostgreSQL array, a JSON list on SQLite): Django's ``__in`` prepares each
    of 10,000 values through the field and writes 10,000 placeholders."""
    values = list(values)
    if connection.vendor == "postgresql":
        return RawSQL(f"SELECT unnest(%s::{db_type}[])", (values,))  # noqa: S611 - a type name
    return RawSQL("SELECT value FROM json_each(%s)", (json.dumps(values),))  # noqa: S611
