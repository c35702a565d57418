"""Intake: descriptions and pasted errors are matched against symptom patterns."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from triage.intake import Matcher, answers_from
from triage.knowledge import Knowledge
from triage.literals import quick_required_literals
from triage.loading import load_knowledge
from triage.models import compile_pattern


def revealed(
    knowledge: Knowledge, description: str | None = None, errors: list[str] | None = None
) -> dict[str, object]:
    matcher = Matcher(knowledge)
    return dict(answers_from(matcher.read(description, errors or []), knowledge))


def test_a_pasted_error_reveals_its_symptom(mini_knowledge: Knowledge) -> None:
    assert revealed(mini_knowledge, errors=["Task timed out after 3.00 seconds"]) == {"timed_out": True}


def test_a_number_is_read_from_the_named_group(mini_knowledge: Knowledge) -> None:
    answers = revealed(mini_knowledge, errors=["REPORT RequestId: x Duration: 1,234.5 ms"])
    assert answers == {"duration_ms": 1234.5}


def test_a_keyword_matches_across_spaces_dashes_and_underscores(mini_knowledge: Knowledge) -> None:
    for text in ("ran out-of-memory", "out_of_memory", "OUT OF   MEMORY"):
        assert revealed(mini_knowledge, description=text) == {"memory_full": True}


def test_a_keyword_does_not_match_inside_a_word(mini_knowledge: Knowledge) -> None:
    assert revealed(mini_knowledge, description="we use lambdas3 and ecsy") == {}


@pytest.mark.parametrize(
    "description",
    [
        "it is not out of memory",
        "there's no out of memory error",
        "it doesn't run out of memory",
        "there were zero out of memory errors this week",
        "nobody is seeing out of memory errors",
        "no one has hit out of memory since Monday",
        "neither out of memory nor a full disk",
    ],
)
def test_a_negated_mention_in_a_description_asserts_nothing(
    mini_knowledge: Knowledge, description: str
) -> None:
    assert "memory_full" not in revealed(mini_knowledge, description=description)


@pytest.mark.parametrize(
    "description",
    [
        "out of memory is not the issue, the disk is",
        "running out of memory doesn't seem to be the problem",
        "out of memory isn't it, the disk filled up",
        "out of memory isnt it, the disk filled up",
        "out of memory doesnt seem to be the problem",
        "out of memory was ruled out yesterday",
    ],
)
def test_a_mention_denied_right_after_it_asserts_nothing(mini_knowledge: Knowledge, description: str) -> None:
    assert "memory_full" not in revealed(mini_knowledge, description=description)


@pytest.mark.parametrize(
    "description",
    [
        "out of memory is the issue",
        "out of memory, which is not rare here",
        "out of memory; not the first time",
    ],
)
def test_only_a_denial_of_the_mention_itself_cancels_it(mini_knowledge: Knowledge, description: str) -> None:
    assert revealed(mini_knowledge, description=description) == {"memory_full": True}


@pytest.mark.parametrize(
    ("description", "symptom"),
    [
        ("Lambda widgets: Errors 0, Throttles 0, Duration p99 4.6 s", "throttled"),
        ("throttles are at zero all week", "throttled"),
        ("redis info: evicted_keys:0, keyspace_misses:21160", "cache_stale_or_evicted"),
        ("WAN monitor: RTT 320 ms, packet loss 0%, link at 96%", "network_packet_loss"),
        ("pods: OOM kills: 0, restarts 2", "out_of_memory"),
    ],
)
def test_a_count_of_failures_read_off_as_zero_asserts_nothing(
    shipped_knowledge: Knowledge, description: str, symptom: str
) -> None:
    assert symptom not in revealed(shipped_knowledge, description=description)


@pytest.mark.parametrize(
    ("description", "symptom"),
    [
        ("Throttles 0 -> 450 after the import started", "throttled"),
        ("throttles went from 0 to 450", "throttled"),
        ("the handler's invocations graph is flat at 0", "websocket_handler_not_invoked"),
    ],
)
def test_a_zero_that_rises_or_counts_what_should_happen_still_reads(
    shipped_knowledge: Knowledge, description: str, symptom: str
) -> None:
    assert symptom in revealed(shipped_knowledge, description=description)


@pytest.mark.parametrize(
    "description",
    ["nothing but out of memory in the logs", "replicas running: none left, out of memory"],
)
def test_nothing_and_none_state_a_failure_rather_than_deny_one(
    mini_knowledge: Knowledge, description: str
) -> None:
    # "nothing comes back", "none of the messages arrive" are how reports say that everything fails
    assert revealed(mini_knowledge, description=description) == {"memory_full": True}


def test_negation_does_not_cross_a_sentence(mini_knowledge: Knowledge) -> None:
    assert revealed(mini_knowledge, description="Not sure why. It is out of memory.") == {"memory_full": True}


def test_dont_know_is_not_a_negation(mini_knowledge: Knowledge) -> None:
    assert revealed(mini_knowledge, description="don't know why it's out of memory") == {"memory_full": True}


def test_errors_are_taken_literally_even_with_negative_words(mini_knowledge: Knowledge) -> None:
    assert revealed(mini_knowledge, errors=["not enough memory: out of memory"]) == {"memory_full": True}


def test_a_choice_takes_the_value_most_texts_point_at(mini_knowledge: Knowledge) -> None:
    answers = revealed(mini_knowledge, description="moved from ECS to Lambda, the lambda now fails")
    assert answers == {"platform": "lambda"}


def test_a_choice_counts_every_mention_of_a_value(mini_knowledge: Knowledge) -> None:
    answers = revealed(
        mini_knowledge, description="Lambda is fine; the ECS task fails and the ECS service restarts"
    )
    assert answers == {"platform": "ecs"}


@pytest.mark.parametrize(
    ("description", "platform"),
    [("the ecs service fails, lambda is fine", "ecs"), ("the lambda fails, ecs is fine", "lambda")],
)
def test_on_a_tie_a_choice_takes_the_value_named_first(
    mini_knowledge: Knowledge, description: str, platform: str
) -> None:
    assert revealed(mini_knowledge, description=description) == {"platform": platform}


def test_a_value_a_pasted_error_names_outvotes_the_descriptions_guesses(mini_knowledge: Knowledge) -> None:
    answers = revealed(
        mini_knowledge,
        description="I guess the lambda is broken, the lambda was changed last",
        errors=["the ECS task stopped: essential container exited"],
    )
    assert answers["platform"] == "ecs"


def test_matches_say_where_the_text_came_from(mini_knowledge: Knowledge) -> None:
    matches = Matcher(mini_knowledge).read("on lambda", ["Task timed out after 1 seconds"])
    assert [(m.symptom, m.source, m.text) for m in matches] == [
        ("platform", "description", "lambda"),
        ("timed_out", "errors[0]", "Task timed out after 1 seconds"),
    ]


def test_a_negated_sentence_still_names_the_platform(mini_knowledge: Knowledge) -> None:
    # the mini knowledge's `platform` is a context choice: naming the system is not negated by "not"
    assert revealed(mini_knowledge, description="messages are not processed on lambda") == {
        "platform": "lambda"
    }


def test_patterns_compile_when_first_needed_and_read_the_same_after_compile_all(
    mini_knowledge: Knowledge,
) -> None:
    lazy, eager = Matcher(mini_knowledge), Matcher(mini_knowledge)
    eager.compile_all()
    assert all(compiled.compiled for compiled in eager.patterns)
    assert not any(compiled.compiled for compiled in lazy.patterns)
    text = "Task timed out after 3.00 seconds, out of memory"
    assert lazy.read(text, [text]) == eager.read(text, [text])


@pytest.mark.parametrize(
    ("pattern", "literals"),
    [
        (r"\bfoo bar\b", {"foo bar"}),
        (r"\bENOSPC\b|\bNo space left on device\b", {"enospc", "no space left on device"}),
        (r"\bcolou?r\b", {"colo"}),  # a character before "?" may be absent
        (r"foo{0,2}bar", {"bar"}),
        (r"\b(?:a|b) timed out\b", {" timed out"}),  # a group without long enough literals is skipped
        (r"\b(?:timed out|timeout) after", {"timed out", "timeout"}),  # one of a group's is enough
        (r"(?P<verb>Hello|World)x", {"hello", "world"}),
        (r"((?:abcd|abce)f|xyz)", {"abcd", "abce", "xyz"}),  # groups within groups
        (r"(?:foobar|bazqux)?end", {"end"}),  # an optional group may be absent
        (r"(?:foobar|)end", {"end"}),  # so may a group with an empty alternative
        (r"(?!never)abc", {"abc"}),  # a lookahead consumes nothing
        (r"(?!never)ab", None),
        (r"[a|b]xyz", {"xyz"}),  # a "|" inside a class does not split the pattern
        (r"x\|yz", {"x|yz"}),  # nor does an escaped one
        (r"\.env\b", {".env"}),
        (r"ab+cd", None),  # "abbcd": the stretch breaks at a repeat, leaving nothing long enough
        (r"\d+ms|timeout", None),  # every alternative needs a stretch of its own
        (r"(?x) a b c", None),  # verbose patterns: spaces are not characters
        (r"\x41bcd", None),  # a character given by its code is not followed
        (r"caf\u00e9 open", None),
    ],
)
def test_quick_required_literals(pattern: str, literals: set[str] | None) -> None:
    assert quick_required_literals(pattern) == (frozenset(literals) if literals is not None else None)


def test_skipping_patterns_by_their_literals_changes_no_match(monkeypatch: pytest.MonkeyPatch) -> None:
    shipped = load_knowledge()
    texts = [
        (case.get("description"), case.get("errors") or [])
        for path in sorted((Path(__file__).parent.parent / "knowledge" / "tests").glob("*.yaml"))[::3]
        for case in yaml.safe_load(path.read_text(encoding="utf-8"))["cases"]
    ]
    assert len(texts) > 200
    filtered_matcher = Matcher(shipped)
    filtered = [filtered_matcher.read(*text) for text in texts]
    monkeypatch.setattr("triage.intake.quick_required_literals", lambda source: None)  # no literal known
    unfiltered_matcher = Matcher(shipped)
    assert [unfiltered_matcher.read(*text) for text in texts] == filtered


@pytest.mark.parametrize(
    ("pattern", "text"),
    [
        (r"\b(?:doesn.t|didn.t) reply\b", "the bot doesn't reply"),
        (r"\b(?:doesn.t|didn.t) reply\b", "the bot doesn’t reply"),
        (r"\b(?:doesn.t|didn.t) reply\b", "the bot doesnt reply"),
        (r"\bcan.t connect\b", "the app cant connect"),
    ],
)
def test_a_contraction_reads_with_or_without_its_apostrophe(pattern: str, text: str) -> None:
    assert compile_pattern(pattern).search(text)


def test_only_contractions_lose_the_character_before_their_t() -> None:
    # "scan.t" is not a contraction: its "." still needs a character
    assert compile_pattern(r"\bscan.t\b").search("scant") is None
    assert compile_pattern(r"\bscan.t\b").search("scan t")
