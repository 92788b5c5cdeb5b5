"""Insert thousands of rows in one round trip per table (ledger lines, audit entries, items).

SQLite runs an executemany in-process, which is fast. On PostgreSQL an executemany is still
one statement per row on the server (psycopg sends them pipelined); COPY FROM STDIN loads every
row in one statement, inside the same transaction, with the table's triggers and defaults.
"""

from sqlalchemy import insert

COPY_FROM = 50  # fewer rows than this: a plain INSERT is as quick


def insert_rows(bind, table, rows):
    """Insert the rows (dicts with the same keys) into the table.

    ``bind`` is a session or a connection, already in the caller's transaction; ``table`` a
    Table. Values go through the columns' bind processing as with an INSERT.
    """
    if not rows:
        return
    connection = bind if getattr(bind, "dialect", None) is not None else bind.connection()
    dialect = connection.dialect
    if dialect.name != "postgresql" or len(rows) < COPY_FROM:
        connection.execute(insert(table), rows)
        return
    columns = list(rows[0])
    processors = [table.c[name].type.bind_processor(dialect) for name in columns]
    quote = dialect.identifier_preparer.quote
    statement = (f"COPY {dialect.identifier_preparer.format_table(table)} "
                 f"({', '.join(quote(name) for name in columns)}) FROM STDIN")
    with connection.connection.driver_connection.cursor() as cursor, \
            cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row([value if process is None or value is None else process(value)
                            for value, process in zip((row[name] for name in columns),
                                                      processors, strict=True)])
