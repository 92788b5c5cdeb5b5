"""Trial, site and subject rules, one module per topic (never commit)."""


def assign(record, data, fields):
    """Copy the named form values onto the record (an empty text becomes None)."""
    for name in fields:
        if name in data:
            value = data[name]
            setattr(record, name, value if value != "" else None)
