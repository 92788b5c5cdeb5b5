"""Tests of the cold-chain infrastructure (no domain: readings, bands, files)."""

from tests.dbsetup import ROOT

# The sample logger export the README offers for a first try: 360 readings, two excursions.
SAMPLE = ROOT / "tests" / "shipments" / "data" / "logger_excursion.csv"
