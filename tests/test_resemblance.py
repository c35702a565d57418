"""Resemblance: a description's words as weak evidence for the causes whose words they share."""

from __future__ import annotations

from triage.examples import knowledge_examples
from triage.knowledge import Knowledge
from triage.resemblance import MAX_FACTOR, Resemblance, words


def test_words_are_lower_cased_stemmed_and_split_at_camel_case() -> None:
    assert words("Lambda TimeoutErrors keep happening") == ["lambda", "timeouterror", "timeout", "happen"]


def test_contractions_leave_no_stray_stems() -> None:
    assert words("it won't start and doesn't answer") == ["answer"]


def test_the_cause_sharing_most_words_gets_the_strongest_factor(shipped_knowledge: Knowledge) -> None:
    examples = {
        "lambda_memory_exhausted": ["the zorbulax frobnicator dies halfway"],
        "dynamodb_hot_partition": ["the zorbulax export"],
    }
    likenesses = Resemblance(shipped_knowledge, examples).compare("zorbulax frobnicator dying")
    assert [likeness.cause for likeness in likenesses] == [
        "lambda_memory_exhausted",
        "dynamodb_hot_partition",
    ]
    assert likenesses[0].factor == MAX_FACTOR
    assert 1 < likenesses[1].factor < likenesses[0].factor


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
