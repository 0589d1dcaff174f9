"""Labelled tests for flows.redaction.

The sentences live in ``tests/data/redaction_cases.jsonl`` (one ``{"text", "expect"}`` object a
line) so ``bench/redaction.py`` scores the same set. Every case must come out exactly: the same
kinds, the same matched text, in order; look-alikes expect nothing.

All data is invented. NHS numbers start 999 (the range the NHS keeps for testing) or 5 / 8
(never issued in England and Wales) and carry a computed check digit. Phone numbers come from
Ofcom's ranges for drama (07700 900xxx, 0113 496 0xxx, 020 7946 0xxx, 01632 960xxx ...).
E-mail addresses use example domains. Postcodes are Royal Mail's own examples or well-known
public buildings; they identify no one on their own.
"""

import json
import random
from pathlib import Path
from typing import Any

import pytest

from flows.redaction import Finding, Identifier, find, is_valid_nhs_number, redact

CASES_FILE = Path(__file__).parent / "data" / "redaction_cases.jsonl"


def _load() -> list[dict[str, Any]]:
    with CASES_FILE.open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


CASES = _load()


def _check_digit(nine: str) -> int:
    total = sum(int(digit) * weight for digit, weight in zip(nine, range(10, 1, -1), strict=True))
    return (11 - total % 11) % 11


@pytest.mark.parametrize(
    "case", [pytest.param(case, id=f"{n:03}") for n, case in enumerate(CASES)]
)
def test_case_findings_are_exactly_the_expected_ones(case: dict[str, Any]) -> None:
    found = [(finding.kind.value, finding.text) for finding in find(case["text"])]
    assert found == [(item["kind"], item["text"]) for item in case["expect"]]


def test_the_set_is_big_and_covers_every_kind_and_look_alikes() -> None:
    kinds = {item["kind"] for case in CASES for item in case["expect"]}
    assert len(CASES) >= 200
    assert kinds == {kind.value for kind in Identifier}
    assert sum(not case["expect"] for case in CASES) >= 80


def test_expected_nhs_numbers_in_the_data_really_are_valid() -> None:
    numbers = [
        item["text"] for case in CASES for item in case["expect"] if item["kind"] == "nhs number"
    ]
    assert numbers
    assert all(is_valid_nhs_number(number) for number in numbers)


def test_generated_numbers_with_their_check_digit_are_valid() -> None:
    rng = random.Random(6)
    valid = 0
    for _ in range(2000):
        nine = "".join(rng.choice("0123456789") for _ in range(9))
        check = _check_digit(nine)
        if check == 10:
            assert not any(is_valid_nhs_number(nine + str(d)) for d in range(10))
            continue
        valid += 1
        assert is_valid_nhs_number(nine + str(check))
        assert not any(is_valid_nhs_number(nine + str(d)) for d in range(10) if d != check)
    assert valid > 1500


@pytest.mark.parametrize(
    ("digits", "expected"),
    [
        ("9997654323", True),
        ("999 765 4323", True),
        ("999-765-4323", True),
        ("9997654324", False),
        ("999765432", False),
        ("99976543230", False),
        ("999765432a", False),
        ("", False),
        ("\uff19\uff19\uff19\uff11\uff12\uff13\uff14\uff15\uff16\uff14", False),
    ],
)
def test_is_valid_nhs_number(digits: str, expected: bool) -> None:
    assert is_valid_nhs_number(digits) is expected


def test_remainder_eleven_means_check_digit_zero() -> None:
    nine = next(f"{n:09}" for n in range(999_000_000, 999_100_000) if _check_digit(f"{n:09}") == 0)
    total = sum(int(digit) * weight for digit, weight in zip(nine, range(10, 1, -1), strict=True))
    assert total % 11 == 0
    assert is_valid_nhs_number(nine + "0")


def test_redact_uses_default_placeholders() -> None:
    text = "I'm Sam, NHS number 999 765 4323, mobile 07700 900123, sam@example.com, M1 1AE."
    assert redact(text) == (
        "I'm [name removed], NHS number [nhs number removed], mobile [phone removed], "
        "[email removed], [postcode removed]."
    )


def test_redact_keeps_titles_cues_and_everything_else() -> None:
    text = "Dr Patel saw me; DOB 14/02/1975; profile facebook.com/jane.doe.5 at 10:30."
    assert redact(text) == (
        "Dr [name removed] saw me; DOB [date of birth removed]; "
        "profile [personal link removed] at 10:30."
    )


def test_redact_with_a_custom_placeholder() -> None:
    assert redact("Ring 07700 900123 or 0113 496 0123.", lambda kind: "***") == (
        "Ring *** or ***."
    )


def test_redact_leaves_text_without_findings_alone() -> None:
    text = "I rang 111 at 10:30, paid £1,200.00 and waited on Ward 7."
    assert redact(text) == text
    assert find("") == []


def test_findings_carry_their_offsets() -> None:
    text = "Email jo@example.com now"
    assert find(text) == [Finding(Identifier.EMAIL, 6, 20, "jo@example.com")]


def test_overlaps_go_to_the_longest_finding() -> None:
    text = "See https://forms.example.com/s?email=jo@example.com or +44 7700 900123."
    assert [(f.kind, f.text) for f in find(text)] == [
        (Identifier.URL, "https://forms.example.com/s?email=jo@example.com"),
        (Identifier.PHONE, "+44 7700 900123"),
    ]
