"""GS1 element strings for the label DataMatrix: check the data, encode it with zint.

The symbol is GS1 DataMatrix (FNC1 first) carrying (01) GTIN, (17) expiry YYMMDD, (10) batch,
(21) kit serial and (7240) the trial's protocol code. zint writes FNC1 and the group
separators itself; ``FAIL_ALL`` makes it refuse (not merely warn about) a bad check digit or
an impossible date. Our own checks come first so the user reads a message in their language.
"""

import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

import zint
from flask_babel import gettext as _

from app.core.errors import DomainError
from app.stock.api import gtin_is_valid

# GS1 character set 82 (GS1 General Specifications 7.11, figure 7.11-1).
CSET82 = re.compile(r"^[!\"%&'()*+,\-./0-9:;<=>?A-Z_a-z]*$")
MAX_LENGTH = {"10": 20, "21": 20, "7240": 20}
_valid_gtin = lru_cache(maxsize=256)(gtin_is_valid)  # a run repeats its few GTINs


@dataclass(frozen=True)
class LabelCode:
    """What one label's DataMatrix carries."""

    gtin: str
    expiry: date
    batch: str
    serial: str
    protocol: str

    def elements(self):
        """Return the (AI, value) pairs in the order they are encoded."""
        expiry = self.expiry.strftime("%y%m%d") if isinstance(self.expiry, date) else ""
        return [("01", self.gtin), ("17", expiry), ("10", self.batch), ("21", self.serial),
                ("7240", self.protocol)]

    def human_readable(self, separator=""):
        """Return the text printed with the symbol: AIs in parentheses.

        The label joins the element strings with a space so a narrow label breaks the line
        between two of them, never inside one.
        """
        return separator.join(f"({ai}){value}" for ai, value in self.elements())


@lru_cache(maxsize=1024)
def _valid_value(ai, value):
    return bool(value) and len(value) <= MAX_LENGTH[ai] and bool(CSET82.match(value))


def check_code(code):
    """Raise DomainError (with the field) when the code cannot be encoded as GS1."""
    if not _valid_gtin(code.gtin):
        raise DomainError(_("The product's GTIN %(gtin)s is not a valid GTIN-14 (14 digits, the "
                            "last one the check digit).", gtin=code.gtin or "—"), "gtin")
    if not isinstance(code.expiry, date):
        raise DomainError(_("The expiry is not a date."), "expiry")
    for ai, value in code.elements()[2:]:
        if _valid_value(ai, value):
            continue  # the usual case: no message to translate
        names = {"10": _("batch number"), "21": _("kit serial number"),
                 "7240": _("protocol code")}
        if not value:
            raise DomainError(_("The %(what)s is empty; it cannot be encoded.",
                                what=names[ai]), "protocol" if ai == "7240" else None)
        if len(value) > MAX_LENGTH[ai]:
            raise DomainError(_("The %(what)s “%(value)s” is longer than the %(max)s characters "
                                "AI (%(ai)s) allows.", what=names[ai], value=value,
                                max=MAX_LENGTH[ai], ai=ai),
                              "protocol" if ai == "7240" else None)
        if not CSET82.match(value):
            raise DomainError(_("The %(what)s “%(value)s” has characters outside the GS1 "
                                "character set (letters A-Z a-z, digits and !\"%%&'()*+,-./:;"
                                "<=>?_).", what=names[ai], value=value),
                              "protocol" if ai == "7240" else None)


def encode(code):
    """Return the zint symbol of a checked LabelCode."""
    check_code(code)
    symbol = zint.Symbol()
    symbol.symbology = zint.Symbology.DATAMATRIX
    symbol.input_mode = zint.InputMode.GS1  # square brackets: parentheses may be data
    symbol.option_3 = zint.DataMatrixOptions.SQUARE
    symbol.warn_level = zint.WarningLevel.FAIL_ALL
    try:
        symbol.encode("".join(f"[{ai}]{value}" for ai, value in code.elements()))
    except RuntimeError as error:
        raise DomainError(_("The label code cannot be encoded: %(error)s",
                            error=str(error))) from error
    return symbol


# zint keeps each row's modules least significant bit first; a PDF image most significant first.
_REVERSED_BITS = bytes(int(f"{n:08b}"[::-1], 2) for n in range(256))


def symbol_bitmap(symbol):
    """Return (modules across, modules down, the rows as hexadecimal text, 1 = dark).

    Each row of zint's bit matrix, padded to whole bytes, is what a PDF 1-bit image mask
    takes; hexadecimal keeps it printable inside a page's content stream.
    """
    data = symbol.encoded_data.tobytes()
    stride = len(data) // len(symbol.encoded_data)
    row_bytes = (symbol.width + 7) // 8
    rows = b"".join(data[row * stride:row * stride + row_bytes]
                    for row in range(symbol.rows))
    return symbol.width, symbol.rows, rows.translate(_REVERSED_BITS).hex()
