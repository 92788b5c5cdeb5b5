"""Temperature series: read logger files, judge readings against a band, chart them.

Infrastructure beside ``files`` and ``exports``: it knows no domain. A caller hands it the
bytes of a file, readings (times and °C) and an allowed band, and gets plain data back.
"""
