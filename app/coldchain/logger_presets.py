"""The pharma loggers whose exports the reader knows, and how each one lays its file out.

The generic reader finds the header, the columns, the separator and the date order itself; a
preset names the vendor (recognised from the metadata block or chosen by the user) and fixes
what its export never states, such as the zone of Controlant or Tive times (always UTC).
"""

from dataclasses import dataclass, replace

from flask_babel import lazy_gettext as _l


@dataclass(frozen=True)
class Preset:
    """One logger family: its name, the words that identify its exports, fixed choices."""

    label: object
    markers: tuple
    layout: str
    timezone: str | None = None
    unit: str | None = None

    def apply(self, options):
        """Return the options with what this export always uses filled in."""
        changes = {}
        if self.timezone:
            changes["timezone"] = self.timezone
        if self.unit and not options.unit:
            changes["unit"] = self.unit
        return replace(options, **changes)


PRESETS = {
    "temptale": Preset(_l("Sensitech TempTale (TempTale Manager / TTV export)"),
                       ("temptale", "sensitech", "ttv"),
                       "Metadata block (Serial Number, Trip Number, alarm settings), then "
                       "“Date/Time,Temperature (°F)”: US month-first dates with AM/PM."),
    "libero": Preset(_l("ELPRO LIBERO (elproCLOUD / LIBERO PDF-CSV)"), ("libero", "elpro"),
                     "Header block, then “Timestamp;Temperature [°C]”, ISO times with their "
                     "UTC offset, semicolons."),
    "logtag": Preset(_l("LogTag Analyzer export"), ("logtag", "trix", "utrix"),
                     "Product and serial lines, then separate “Date” and “Time” columns, "
                     "time in the PC's 12- or 24-hour clock."),
    "berlinger": Preset(_l("Berlinger Q-tag / Fridge-tag (SmartView)"),
                        ("berlinger", "q-tag", "fridge-tag", "smartview"),
                        "“Date;Time;Temperature [°C]”, day first with dots, decimal comma."),
    "deltatrak": Preset(_l("DeltaTrak FlashLink"), ("deltatrak", "flashlink"),
                        "“Date Time,Temperature(°F)” with two-digit years, month first, "
                        "AM/PM, summary lines at the end."),
    "testo": Preset(_l("Testo (ComSoft / Saveris / testo 184)"), ("testo", "saveris"),
                    "UTF-16 or Windows-1252 text, tab separated, “Datum/Zeit” or "
                    "“Date/Time” with °C values and decimal comma."),
    "controlant": Preset(_l("Controlant Saga (times in UTC)"), ("controlant", "saga"),
                         "“Time (UTC),Temperature (°C)” as CSV or .xlsx.",
                         timezone="UTC"),
    "emerson": Preset(_l("Emerson GO Real-Time / Oversight (.xlsx)"),
                      ("emerson", "go real-time", "oversight", "cargo solutions"),
                      "Excel export: report rows, then “Date/Time (UTC)”, “Temperature (°C)” "
                      "with real Excel dates."),
    "tive": Preset(_l("Tive tracker (times in UTC)"), ("tive",),
                   "“Date (UTC),Temperature (°C),Humidity,Light,Latitude,Longitude,...”.",
                   timezone="UTC"),
}


def recognise(metadata, columns):
    """Return the preset key the metadata block or column names name, or None."""
    text = " ".join(str(line) for line in metadata).lower()
    for key, preset in PRESETS.items():
        if any(marker in text.split() or (len(marker) > 4 and marker in text)
               for marker in preset.markers):
            return key
    return None
