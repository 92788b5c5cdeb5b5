"""Permuted-block randomisation, stratified, reproducible from a recorded seed.

Algorithm ``pbr-hmac-sha256`` version 1: one independent stream per stratum, whose n-th 32-byte
word is HMAC-SHA256(key=seed, message="<stratum label>|<n>"). A draw below ``bound`` takes
8 bytes of the next word as an unsigned integer and rejects values at or above the largest
multiple of ``bound`` (no modulo bias). For each block: the block size is drawn from the sorted
set of sizes, the block is filled with the arms in ratio (``size / sum(ratio)`` copies of each
ratio unit, arms in the declared order) and shuffled by Fisher-Yates (i from the end down to 1,
j drawn below i + 1). Blocks follow one another until the stratum holds ``per_stratum``
numbers; the last block is cut at that size. Nothing depends on Python's ``random`` or numpy,
so the same parameters and seed give the same list on every platform and version.
"""

import hashlib
import hmac
import itertools
import json
import secrets
from dataclasses import dataclass

ALGORITHM = "pbr-hmac-sha256"
VERSION = 1


@dataclass(frozen=True)
class Entry:
    """One randomisation number of a generated or uploaded list."""

    number: str
    sequence: int
    block: int
    stratum: str
    arm: str


class Stream:
    """The deterministic draws of one stratum."""

    def __init__(self, seed, label):
        self._keyed = hmac.new(seed.encode(), digestmod=hashlib.sha256)  # copied per draw
        self._label = label.encode() + b"|"
        self._counter = 0

    def below(self, bound):
        """Return an unbiased integer in [0, bound)."""
        if bound <= 1:
            return 0
        limit = (1 << 64) - ((1 << 64) % bound)
        while True:
            mac = self._keyed.copy()
            mac.update(self._label + str(self._counter).encode())
            word = mac.digest()
            self._counter += 1
            value = int.from_bytes(word[:8], "big")
            if value < limit:
                return value % bound


def stratum_labels(strata):
    """Return every stratum label (``factor=level; ...``), or [""] when unstratified."""
    if not strata:
        return [""]
    names = [factor["name"] for factor in strata]
    return ["; ".join(f"{n}={v}" for n, v in zip(names, combo, strict=True))
            for combo in itertools.product(*(factor["levels"] for factor in strata))]


def unit_block(arms):
    """Return one ratio unit: each arm repeated its ratio times, in the declared order."""
    return [name for name, ratio in arms for _ in range(ratio)]


def generate(parameters, seed):
    """Return the list's entries for the parameters and seed, stratum by stratum."""
    arms = [(a[0], int(a[1])) for a in parameters["arms"]]
    sizes = sorted(int(s) for s in parameters["block_sizes"])
    per_stratum = int(parameters["per_stratum"])
    unit = unit_block(arms)
    entries = []
    width = len(str(per_stratum * len(stratum_labels(parameters.get("strata")))))
    for s_index, label in enumerate(stratum_labels(parameters.get("strata"))):
        stream = Stream(seed, label)
        sequence, block = 0, 0
        while sequence < per_stratum:
            block += 1
            size = sizes[stream.below(len(sizes))]
            cards = unit * (size // len(unit))
            for i in range(len(cards) - 1, 0, -1):
                j = stream.below(i + 1)
                cards[i], cards[j] = cards[j], cards[i]
            for arm in cards[:per_stratum - sequence]:
                sequence += 1
                number = s_index * per_stratum + sequence
                entries.append(Entry(f"R{number:0{max(width, 4)}d}", sequence, block, label,
                                     arm))
    return entries


def list_digest(entries):
    """Return the SHA-256 of the canonical list (number, block, stratum, arm per line)."""
    digest = hashlib.sha256()
    for e in entries:
        digest.update(f"{e.number}\t{e.block}\t{e.stratum}\t{e.arm}\n".encode())
    return digest.hexdigest()


def new_seed():
    """Return a fresh random seed (recorded with the list, read by the unblinded only)."""
    return secrets.token_hex(16)


def seed_digest(seed):
    """Return the SHA-256 of a seed (shown in the clear; the seed itself is sealed)."""
    return hashlib.sha256(seed.encode()).hexdigest()


def canonical_parameters(parameters):
    """Return the parameters as stored: a plain, key-sorted dict."""
    return json.loads(json.dumps(parameters, sort_keys=True))
