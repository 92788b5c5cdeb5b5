"""The permuted-block generator: reproducible, ratio kept in every block, a pinned known list."""

from collections import Counter

import pytest

from app.blinding.services.design import parse_arms, parse_block_sizes, parse_strata
from app.blinding.services.generator import generate, list_digest, seed_digest
from app.core.errors import DomainError

# Algorithm pbr-hmac-sha256 v1, seed "public-test-seed": pinned so any change is noticed.
PINNED_ARMS = "ABABBABBAAAB"
PINNED_BLOCKS = [1, 1, 1, 1, 2, 2, 3, 3, 3, 3, 4, 4]
PINNED_DIGEST = "d0056c9e30a1d854238fef122bfe0582f85825bae221c94eb79376f71a28232f"
PUBLIC = {"arms": [["A", 1], ["B", 1]], "block_sizes": [2, 4], "per_stratum": 12,
          "strata": []}


def arms_of(entries):
    return "".join(e.arm for e in entries)


def test_a_public_seed_gives_the_pinned_list():
    entries = generate(PUBLIC, "public-test-seed")
    assert arms_of(entries) == PINNED_ARMS
    assert [e.block for e in entries] == PINNED_BLOCKS
    assert [e.number for e in entries][:3] == ["R0001", "R0002", "R0003"]
    assert list_digest(entries) == PINNED_DIGEST
    assert seed_digest("public-test-seed") == (
        "9e8fd45be38e7aac00baf894a89a0055037c7ceff4981dcb9c175263db374675")


def test_the_same_parameters_and_seed_regenerate_the_same_list_and_another_seed_does_not():
    assert generate(PUBLIC, "s1") == generate(PUBLIC, "s1")
    assert arms_of(generate(PUBLIC, "s1")) != arms_of(generate(PUBLIC, "s2"))


def test_every_block_respects_the_ratio_and_strata_have_their_own_numbers():
    params = {"arms": [["Active", 2], ["Placebo", 1]], "block_sizes": [3, 6, 9],
              "per_stratum": 90, "strata": [{"name": "sex", "levels": ["M", "F"]},
                                            {"name": "age", "levels": ["<65", ">=65"]}]}
    entries = generate(params, "ratio")
    assert len(entries) == 360
    assert sorted({e.stratum for e in entries}) == [
        "sex=F; age=<65", "sex=F; age=>=65", "sex=M; age=<65", "sex=M; age=>=65"]
    assert len({e.number for e in entries}) == 360
    blocks = Counter()
    for e in entries:
        blocks[(e.stratum, e.block, e.arm)] += 1
    for (stratum, block, arm), count in blocks.items():
        other = blocks[(stratum, block, "Placebo" if arm == "Active" else "Active")]
        if arm == "Active":
            assert count == 2 * other, (stratum, block)
    sizes = {sum(c for (s, b, _a), c in blocks.items() if (s, b) == key)
             for key in {(s, b) for s, b, _a in blocks}}
    assert sizes <= {3, 6, 9} and len(sizes) > 1


def test_design_input_is_checked_in_plain_words():
    assert parse_arms("A:2, B:1") == [["A", 2], ["B", 1]]
    with pytest.raises(DomainError, match="at least two arms"):
        parse_arms("A:1")
    with pytest.raises(DomainError, match="once"):
        parse_arms("A:1, A:2")
    with pytest.raises(DomainError, match="Block size 4 does not respect the ratio 2:1: each "
                                          "block size must be a multiple of 3."):
        parse_block_sizes("3, 4", [["A", 2], ["B", 1]])
    assert parse_strata("sex: M, F\n\nage: <65, >=65") == [
        {"name": "sex", "levels": ["M", "F"]}, {"name": "age", "levels": ["<65", ">=65"]}]
    with pytest.raises(DomainError, match="one factor per line"):
        parse_strata("sex M F")
