"""The countries of the SEPA schemes, in one place, and the Spanish national check digits.

Source: European Payments Council, "EPC list of SEPA scheme countries" (EPC409-09), version in
force after the EPC Board decisions of 21 November 2024 (Albania, Montenegro), 6 March 2025
(Moldova, North Macedonia) and 22 May 2025 (Serbia): 41 countries. Checked 2026-11-27.
Territories that use another country's IBAN (Åland: FI; French overseas departments: FR;
Azores, Madeira: PT; Canary Islands, Ceuta, Melilla: ES; Jersey, Guernsey, Isle of Man: GB)
are covered by that country's code. Update this list, its source and its date together.
"""

SEPA_LIST_SOURCE = "EPC409-09 EPC list of SEPA scheme countries (after EPC Board 22 May 2025)"
SEPA_LIST_CHECKED = "2026-11-27"

EU = ("AT BE BG CY CZ DE DK EE ES FI FR GR HR HU IE IT LT LU LV MT NL PL PT RO SE SI SK")
EEA = "IS LI NO"
OTHER = "AD CH GB GI MC SM VA"
JOINED_2024_2025 = "AL ME MD MK RS"

SEPA_COUNTRIES = frozenset(f"{EU} {EEA} {OTHER} {JOINED_2024_2025}".split())

_WEIGHTS = (1, 2, 4, 8, 5, 10, 9, 7, 3, 6)


def _spanish_digit(digits):
    value = 11 - sum(int(d) * w for d, w in zip(digits, _WEIGHTS, strict=True)) % 11
    return {11: 0, 10: 1}.get(value, value)


def spanish_check_digits_ok(compact):
    """Return True when a Spanish IBAN's two national check digits (DC) are right.

    ES kk BBBB SSSS DC NNNNNNNNNN: the first digit checks "00" + bank + branch, the second
    the ten-digit account number (Orden EHA/2899/2011, Cuaderno 34 annex).
    """
    bban = compact[4:]
    if len(bban) != 20 or not bban.isdigit():
        return False
    first = _spanish_digit("00" + bban[:8])
    second = _spanish_digit(bban[10:])
    return bban[8:10] == f"{first}{second}"
