"""Resemblance: a description's words as weak evidence for the causes whose words they share."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from triage.cases import CaseModel
from triage.diagnosis import Diagnoser
from triage.examples import knowledge_examples
from triage.knowledge import Knowledge
from triage.ranking import Score
from triage.resemblance import MAX_FACTOR, MAX_FACTOR_BESIDE_ERRORS, MIN_SHARE_OF_BEST, Resemblance, words
from triage.scan import diagnose_scan, scan_logs
from triage.session import Session

DESCRIPTION = "the lambda that resizes uploaded photos dies halfway through big files"
ERROR = "Runtime.OutOfMemory"


def test_words_are_lower_cased_stemmed_and_split_at_camel_case() -> None:
    assert words("Lambda TimeoutErrors keep happening") == ["lambda", "timeouterror", "timeout", "happen"]


def test_contractions_leave_no_stray_stems() -> None:
    assert words("it won't start and doesn't answer") == ["answer"]


def test_the_cause_sharing_most_words_gets_the_strongest_factor(shipped_knowledge: Knowledge) -> None:
    examples = {
        "lambda_memory_exhausted": ["the zorbulax frobnicator dies halfway"],
        "dynamodb_hot_partition": ["the zorbulax frobnicator export"],
    }
    likenesses = Resemblance(shipped_knowledge, examples).compare("zorbulax frobnicator dying")
    assert [likeness.cause for likeness in likenesses] == [
        "lambda_memory_exhausted",
        "dynamodb_hot_partition",
    ]
    assert likenesses[0].factor == MAX_FACTOR
    assert 1 < likenesses[1].factor < likenesses[0].factor


def test_a_cause_scoring_half_the_best_or_less_earns_no_factor(shipped_knowledge: Knowledge) -> None:
    examples = {
        "lambda_memory_exhausted": ["the zorbulax frobnicator dies halfway"],
        "dynamodb_hot_partition": ["the zorbulax export"],
    }
    resemblance = Resemblance(shipped_knowledge, examples)
    scores = {cause: resemblance.score(cause, {"zorbulax", "frobnicator", "dying"}) for cause in examples}
    assert scores["dynamodb_hot_partition"] <= MIN_SHARE_OF_BEST * scores["lambda_memory_exhausted"]
    likenesses = resemblance.compare("zorbulax frobnicator dying")
    assert [likeness.cause for likeness in likenesses] == ["lambda_memory_exhausted"]


def test_the_strongest_factor_can_be_lowered(shipped_knowledge: Knowledge) -> None:
    examples = {"lambda_memory_exhausted": ["the zorbulax frobnicator dies halfway"]}
    (likeness,) = Resemblance(shipped_knowledge, examples).compare("zorbulax frobnicator", strongest=3.0)
    assert likeness.factor == 3.0


def test_one_shared_word_earns_at_most_the_square_root_of_the_strongest_factor(
    shipped_knowledge: Knowledge,
) -> None:
    examples = {"lambda_memory_exhausted": ["the zorbulax stopped"]}
    (likeness,) = Resemblance(shipped_knowledge, examples).compare("our zorbulax")
    assert likeness.shared == ("zorbulax",)
    assert likeness.factor == MAX_FACTOR**0.5


def test_words_no_cause_or_knowledge_case_uses_resemble_nothing(shipped_knowledge: Knowledge) -> None:
    resemblance = Resemblance(shipped_knowledge, knowledge_examples(shipped_knowledge))
    assert resemblance.compare("my cat is sick and won't eat") == []


def test_once_a_pasted_error_is_read_the_description_weighs_less(shipped_knowledge: Knowledge) -> None:
    diagnoser = Diagnoser(shipped_knowledge)
    alone = CaseModel(description=DESCRIPTION)
    beside_error = CaseModel(description=DESCRIPTION, errors=[ERROR])
    assert [match.source for match in diagnoser.diagnose(beside_error).matched if not match.from_description]
    assert strongest_text_factor(diagnoser.diagnose(alone).ranking) == MAX_FACTOR
    assert strongest_text_factor(diagnoser.diagnose(beside_error).ranking) == MAX_FACTOR_BESIDE_ERRORS
    assert MAX_FACTOR_BESIDE_ERRORS < MAX_FACTOR


def test_the_wizard_weighs_a_description_beside_a_pasted_error_the_same_way(
    shipped_knowledge: Knowledge,
) -> None:
    session = Session.start(Diagnoser(shipped_knowledge), description=DESCRIPTION, errors=[ERROR])
    assert strongest_text_factor(session.ranking()) == MAX_FACTOR_BESIDE_ERRORS


def strongest_text_factor(ranking: Sequence[Score]) -> float:
    return max(c.factor for score in ranking for c in score.contributions if c.kind == "text")


def test_a_log_line_read_by_a_scan_counts_like_a_pasted_error(
    shipped_knowledge: Knowledge, tmp_path: Path
) -> None:
    log = tmp_path / "lambda.log"
    log.write_text(f"2026-11-27T01:02:03Z ERROR {ERROR}\n")
    scan = scan_logs([str(log)], shipped_knowledge)
    result = diagnose_scan(scan, Diagnoser(shipped_knowledge), CaseModel(description=DESCRIPTION))
    assert strongest_text_factor(result.ranking) == MAX_FACTOR_BESIDE_ERRORS
