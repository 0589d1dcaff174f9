"""Tests for flows.safeguarding: the labelled set, the decisions, and deployment rules files.

``tests/data/safeguarding_cases.jsonl`` holds one sentence a line with the concern it must
raise (or null for a look-alike that must not). It was written in five rounds, and every round
after the first was scored before the rules were changed for it, as a fair measure of wording
the rules had not seen: 38 of 82 new positives found (46%), 6 of 65 new look-alikes triggered
(9%); the fifth round, 157 sentences written blind by someone who had not seen the rules, 42 of
90 (47%) and 5 of 70. The rules were then fixed, not the cases, so the set passes in full;
``bench`` numbers on it are in-sample and flatter the rules. A sixth blind round is kept
unfixed as ``safeguarding_heldout.jsonl``: ``bench/safeguarding.py`` reports it, no test
asserts on it, and nobody should tune the rules to it.
Left out as truly ambiguous (the rules' answer is the safety-biased one, see the module
docstring): hyperbole that is word for word a threat or a wish to die ("I could kill him",
"this rota makes me want to die"), and a staff member reporting a patient's past words
("a patient told me she wanted to kill herself").
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.core.errors import ConfigError
from flows.safeguarding import (
    DEFAULT,
    Concern,
    Risk,
    assess,
    load_rules,
    normalise,
    signposting,
)

CASES_FILE = Path(__file__).parent / "data" / "safeguarding_cases.jsonl"
RULES_FILE = Path(__file__).parents[1] / "flows" / "safeguarding.toml"


def _cases() -> list[tuple[str, Concern | None]]:
    cases = []
    for line in CASES_FILE.read_text(encoding="utf-8").splitlines():
        case = json.loads(line)
        assert set(case) == {"text", "concern"}, line
        cases.append((case["text"], None if case["concern"] is None else Concern(case["concern"])))
    return cases


CASES = _cases()


@pytest.mark.parametrize(("text", "concern"), CASES, ids=[text[:50] for text, _ in CASES])
def test_every_labelled_case_is_classified_as_labelled(text: str, concern: Concern | None) -> None:
    risk = assess(text)
    assert (risk and risk.concern) == concern, f"{text!r} -> {risk}"


def test_the_labelled_set_is_big_and_varied_enough() -> None:
    texts = [text for text, _ in CASES]
    positives = [concern for _, concern in CASES if concern is not None]
    assert len(texts) == len(set(texts)) and len(texts) >= 150
    assert len(positives) >= 60 and len(texts) - len(positives) >= 60
    assert set(positives) == set(Concern)


# Decisions (module docstring): recorded here so that changing one is deliberate.
DECISIONS = [
    pytest.param("I'm not suicidal, just tired of waiting.", Concern.SUICIDE, id="denial"),
    pytest.param("I was raped years ago and still can't sleep.", Concern.ABUSE, id="past-abuse"),
    pytest.param("My dad collapsed years ago and the ambulance was quick.", None,
                 id="past-emergency"),
    pytest.param("I was at the self-harm clinic because I've been hurting myself again.",
                 Concern.SELF_HARM, id="guard-blanks-only-its-words"),
    pytest.param("I've taken an overdose and I want to die.", Concern.EMERGENCY,
                 id="most-urgent-first"),
    pytest.param("My son says he wants to die.", Concern.SUICIDE, id="someone-else-at-risk"),
]


@pytest.mark.parametrize(("text", "concern"), DECISIONS)
def test_decisions(text: str, concern: Concern | None) -> None:
    risk = assess(text)
    assert (risk and risk.concern) == concern


@pytest.mark.parametrize(
    "text",
    ["I\u2019m scared to go home", "I'm scared to go home", "im scared to go home",
     "I AM SCARED TO GO HOME", "I\u02bcm  scared\tto go home"],
)
def test_apostrophes_case_and_spacing_do_not_matter(text: str) -> None:
    assert assess(text) == Risk(Concern.ABUSE, "scared to go home")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I can\u2019t go on anymore", "i can not go on any more"),
        ("She's unconscious, he won't wake", "she is unconscious, he will not wake"),
        ("No-one would notice, I'd be gone", "nobody would notice, i would be gone"),
        ("Dad's collapsed, I'm gonna ring", "dads collapsed, i am going to ring"),
    ],
)
def test_normalise_spells_out_contractions(text: str, expected: str) -> None:
    assert normalise(text) == expected


def test_matched_is_the_phrase_found_in_the_normalised_text() -> None:
    risk = assess("Honestly, everyone would be better off without me.")
    assert risk == Risk(Concern.SUICIDE, "better off without me")


def test_default_signposting_names_every_service_briefly() -> None:
    text = signposting()
    for needle in ("999", "NHS 111", "Samaritans", "116 123", "SHOUT", "85258"):
        assert needle in text
    assert len(text.split()) <= 80 and "you want" in text


def test_load_rules_without_a_path_is_the_packaged_file() -> None:
    packaged = load_rules()
    assert packaged.signposting == DEFAULT.signposting
    assert [rules.concern for rules in packaged.concerns] == [
        rules.concern for rules in DEFAULT.concerns
    ]


def test_a_deployment_can_reword_the_signposting(tmp_path: Path) -> None:
    own = "Diolch am ddweud. In Wales, call NHS 111 and press 2 for mental health support."
    text = RULES_FILE.read_text(encoding="utf-8")
    start = text.index('text = """')
    end = text.index('"""', start + 10) + 3
    path = tmp_path / "rules.toml"
    path.write_text(text[:start] + f'text = "{own}"' + text[end:], encoding="utf-8")
    rules = load_rules(path)
    assert signposting(rules) == own
    assert assess("I can't go on", rules) == assess("I can't go on")


MINIMAL = """
[signposting]
text = "Please call 999 if you are in danger."

[words]
home = 'home|house'

[guards]
service = ['\\bteam\\b']

[[concern]]
name = "abuse"
patterns = ['\\bafraid at <home>\\b']

[[concern]]
name = "suicide"
patterns = ['\\bdo not want to go on\\b']
guards = ['\\bgo on holiday\\b']

[[concern]]
name = "self-harm"
patterns = ['\\bhurt myself\\b']

[[concern]]
name = "medical emergency"
patterns = ['\\bcan not breathe\\b']
unless = ['\\blast year\\b']

[[concern]]
name = "harm to others"
patterns = ['\\bhurt someone\\b']
"""


def test_load_rules_reads_a_custom_file(tmp_path: Path) -> None:
    path = tmp_path / "rules.toml"
    path.write_text(MINIMAL, encoding="utf-8")
    rules = load_rules(path)
    assert signposting(rules) == "Please call 999 if you are in danger."
    assert [rules.concern for rules in rules.concerns][:2] == [Concern.ABUSE, Concern.SUICIDE]
    assert assess("I'm afraid at home", rules) == Risk(Concern.ABUSE, "afraid at home")
    assert assess("I don't want to go on", rules) == Risk(Concern.SUICIDE, "do not want to go on")
    assert assess("I couldn't breathe last year", rules) is None
    assert assess("I can't breathe", rules) == Risk(Concern.EMERGENCY, "can not breathe")
    assert assess("I'm scared to go home", rules) is None  # not in this deployment's list


@pytest.mark.parametrize(
    ("change", "key"),
    [
        (("[words]", "[words]\ncolour = 'x'\n[extra]"), "extra"),
        (('name = "harm to others"', 'name = "harm"'), "concern[4].name"),
        (('name = "harm to others"', 'name = "abuse"'), "concern"),
        (("patterns = ['\\bhurt someone\\b']", "patterns = ['(unclosed']"),
         "concern[4].patterns[0]"),
        (("patterns = ['\\bhurt someone\\b']", "patterns = [\"can't\"]"),
         "concern[4].patterns[0]"),
        (("patterns = ['\\bhurt someone\\b']", "patterns = ['Hurt']"),
         "concern[4].patterns[0]"),
        (("<home>", "<flat>"), "concern[0].patterns[0]"),
        (('text = "Please call 999 if you are in danger."', 'text = ""'), "signposting.text"),
        (("unless = ['", "otherwise = ['"), "concern[3].otherwise"),
    ],
    ids=["unknown-table", "unknown-concern", "concern-twice", "bad-regex", "apostrophe",
         "capital", "unknown-word", "empty-reply", "unknown-concern-key"],
)
def test_a_bad_rules_file_is_refused_naming_the_key(
    tmp_path: Path, change: tuple[str, str], key: str
) -> None:
    old, new = change
    assert old in MINIMAL
    path = tmp_path / "rules.toml"
    path.write_text(MINIMAL.replace(old, new), encoding="utf-8")
    with pytest.raises(ConfigError) as raised:
        load_rules(path)
    assert raised.value.key == key
