"""Reading a list's design from what a user types: arms with ratio, block sizes, strata."""

from flask_babel import gettext as _

from app.blinding.models import ARMS_MAX
from app.core.errors import DomainError

MAX_LIST_SIZE = 200_000


def parse_arms(text):
    """Return [[arm, ratio], ...] from ``A:1, B:1`` (at least two arms, ratios 1-20)."""
    arms = []
    for item in (text or "").replace(";", ",").split(","):
        if not item.strip():
            continue
        name, _sep, ratio = item.partition(":")
        name = name.strip()
        try:
            ratio = int(ratio.strip() or "1")
        except ValueError:
            ratio = 0
        if not name or len(name) > ARMS_MAX or not 1 <= ratio <= 20:
            raise DomainError(_("Write each arm as name:ratio (for example “A:2, B:1”); "
                                "names of at most %(n)s characters, ratios from 1 to 20.",
                                n=ARMS_MAX), "arms")
        if name in [a[0] for a in arms]:
            raise DomainError(_("Each arm may appear once."), "arms")
        arms.append([name, ratio])
    if len(arms) < 2:
        raise DomainError(_("A randomisation list needs at least two arms."), "arms")
    return arms


def ratio_text(arms):
    """Return the ratio as people write it (2:1)."""
    return ":".join(str(ratio) for _name, ratio in arms)


def parse_block_sizes(text, arms):
    """Return the sorted block sizes; each must be a multiple of the ratio's sum."""
    unit = sum(ratio for _name, ratio in arms)
    try:
        sizes = sorted({int(s) for s in (text or "").replace(";", ",").split(",") if s.strip()})
    except ValueError:
        sizes = []
    if not sizes or any(s <= 0 or s > 100 for s in sizes):
        raise DomainError(_("Give the block sizes as whole numbers from 1 to 100, separated "
                            "by commas."), "block_sizes")
    for size in sizes:
        if size % unit:
            raise DomainError(_("Block size %(size)s does not respect the ratio %(ratio)s: "
                                "each block size must be a multiple of %(unit)s.", size=size,
                                ratio=ratio_text(arms), unit=unit), "block_sizes")
    return sizes


def parse_strata(text):
    """Return [{"name", "levels"}] from lines ``sex: M, F`` (none: unstratified)."""
    strata = []
    for line in (text or "").splitlines():
        if not line.strip():
            continue
        name, sep, levels = line.partition(":")
        levels = [level.strip() for level in levels.split(",") if level.strip()]
        if not sep or not name.strip() or not levels or len(set(levels)) != len(levels) \
                or "=" in name or any(";" in v for v in [name, *levels]):
            raise DomainError(_("Write one factor per line as name: level, level (for example "
                                "“sex: M, F”); names hold no “=”, levels differ and nothing "
                                "holds “;”."), "strata")
        if name.strip() in [f["name"] for f in strata]:
            raise DomainError(_("Each stratification factor may appear once."), "strata")
        strata.append({"name": name.strip(), "levels": levels})
    return strata


def stratum_labels_of(parameters):
    """Return the stratum labels a list's parameters declare."""
    from app.blinding.services.generator import stratum_labels

    return stratum_labels(parameters.get("strata"))
