"""The Session core: start from what is known, ask what matters, undo, stop, report, save and load."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from triage.cases import CaseModel
from triage.diagnosis import Diagnoser
from triage.errors import Place, SessionError
from triage.knowledge import Knowledge
from triage.models import AnswerValue
from triage.session import Session, StopSettings
from triage.session_store import SessionStore


@pytest.fixture
def diagnoser(wizard_knowledge: Knowledge) -> Diagnoser:
    return Diagnoser(wizard_knowledge)


def play(session: Session, answers: dict[str, AnswerValue | None]) -> list[str]:
    """Answer every question from ``answers`` (don't know otherwise); the symptoms asked, in order."""
    asked = []
    while (question := session.next_question()) is not None:
        asked.append(question.id)
        session.answer(question.id, answers.get(question.id))
    return asked


def test_what_the_text_reveals_is_not_asked(diagnoser: Diagnoser) -> None:
    session = Session.start(diagnoser, description="zebra workers", errors=["WZ-BACKLOG depth 90000"])
    assert session.revealed == {"wz_runtime": "zebra", "wz_queue_backlog": True}
    asked = play(session, {})
    assert "wz_runtime" not in asked
    assert "wz_queue_backlog" not in asked


def test_the_first_question_has_the_highest_priority(diagnoser: Diagnoser) -> None:
    session = Session.start(diagnoser, description="zebra workers", errors=["WZ-BACKLOG"])
    question = session.next_question()
    assert question is not None
    best = session.candidates()[0]
    assert (question.id, question.gain) == (best.symptom.id, best.gain)


def test_a_question_a_fired_rule_suggests_is_asked_and_says_so(diagnoser: Diagnoser) -> None:
    settings = StopSettings(confidence=0.99)
    session = Session.start(diagnoser, answers={"wz_queue_backlog": True}, settings=settings)
    session.answer("wz_worker_crash", True)
    question = session.next_question()
    assert question is not None
    assert question.id == "wz_recent_deploy"
    assert question.suggested_by == "wz_backlog_asks_deploy"
    assert question.why.startswith(
        "Rule wz_backlog_asks_deploy suggests it: a growing backlog makes a recent deploy worth checking. "
        "It separates "
    )


def test_why_names_the_candidates_and_what_each_expects(diagnoser: Diagnoser) -> None:
    session = Session.start(diagnoser, answers={"wz_queue_backlog": True, "wz_runtime": "zebra"})
    question = session.next_question()
    assert question is not None and question.id == "wz_worker_crash"
    assert question.separates[:2] == ["wz_consumer_stuck", "wz_worker_oom"]
    assert "The wz consumer is stuck (" in question.why and "expects no" in question.why
    assert "The wz workers run out of memory (" in question.why and "expects yes" in question.why


def test_how_to_check_fills_known_placeholders(diagnoser: Diagnoser) -> None:
    session = Session.start(
        diagnoser, answers={"wz_queue_backlog": True, "wz_runtime": "zebra"}, context={"wz_cluster": "blue"}
    )
    question = session.next_question()
    assert question is not None and question.id == "wz_worker_crash"
    assert [c.command for c in question.how_to_check] == ["wzctl workers list --cluster blue --state crashed"]


def test_a_confident_clear_leader_stops_the_questions(diagnoser: Diagnoser) -> None:
    session = Session.start(diagnoser, description="zebra", errors=["WZ-BACKLOG"])
    session.answer("wz_worker_crash", False)
    assert session.next_question() is None
    assert session.stop_reason() == "confident"
    assert session.ranking()[0].cause == "wz_consumer_stuck"
    assert session.ranking()[0].confidence >= 0.85


def test_a_lead_that_rests_on_the_last_answer_alone_is_checked_once_before_stopping(
    diagnoser: Diagnoser,
) -> None:
    # "the workers crash" alone takes the lead from the stuck consumer to the out-of-memory workers
    session = Session.start(diagnoser, description="zebra", settings=StopSettings(confidence=0.6, margin=0.3))
    session.answer("wz_worker_crash", True)
    leader, second = session.ranking()[:2]
    assert leader.cause == "wz_worker_oom"
    assert leader.confidence >= 0.6 and leader.confidence - second.confidence >= 0.3  # confident already
    assert session.stop_reason() is None
    check = session.next_question()
    assert check is not None and check.id == "wz_queue_backlog"
    assert check.separates == ["wz_worker_oom", "wz_consumer_stuck"]
    assert check.why.startswith(
        "The lead rests on your last answer alone (Do the wz workers crash?); this checks it. It separates "
    )
    session.answer("wz_queue_backlog", True)  # the check agrees: stop, without checking the check
    assert session.next_question() is None
    assert session.stop_reason() == "confident"
    assert session.ranking()[0].cause == "wz_worker_oom"


@pytest.mark.parametrize(
    ("settings", "reason"),
    [
        (StopSettings(max_questions=1), "question limit reached"),
        (StopSettings(confidence=0.999, margin=0.99, max_questions=50), "no question can change the ranking"),
    ],
)
def test_the_session_stops_at_the_cap_or_when_nothing_is_worth_asking(
    diagnoser: Diagnoser, settings: StopSettings, reason: str
) -> None:
    session = Session.start(diagnoser, description="zebra", settings=settings)
    play(session, {})
    assert session.stop_reason() == reason


def test_dont_know_moves_nothing_and_is_not_asked_again(diagnoser: Diagnoser) -> None:
    session = Session.start(diagnoser, answers={"wz_queue_backlog": True})
    before = [(s.cause, s.confidence) for s in session.ranking()]
    question = session.next_question()
    assert question is not None
    session.answer(question.id, None)
    assert [(s.cause, s.confidence) for s in session.ranking()] == before
    following = session.next_question()
    assert following is None or following.id != question.id


def test_undo_takes_back_the_last_answer_and_its_effect(diagnoser: Diagnoser) -> None:
    session = Session.start(diagnoser, answers={"wz_queue_backlog": True})
    first = session.next_question()
    assert first is not None
    before = [(s.cause, s.confidence) for s in session.ranking()]
    session.answer(first.id, True)
    assert session.undo() == first.id
    assert [(s.cause, s.confidence) for s in session.ranking()] == before
    again = session.next_question()
    assert again is not None and again.id == first.id
    assert session.undo() is None  # answers given at the start are not undone


def test_finish_stops_and_records_the_skipped_question(diagnoser: Diagnoser) -> None:
    session = Session.start(diagnoser, description="zebra")
    question = session.next_question()
    assert question is not None
    session.finish(skipped=question.id)
    assert session.next_question() is None
    assert session.handoff().skipped == [question.id]
    session.answer(question.id, True)  # answered after all, e.g. after `triage resume`
    assert session.handoff().skipped == []


@pytest.mark.parametrize(
    ("symptom", "value", "message"),
    [
        ("wz_nope", True, "unknown symptom 'wz_nope'; `triage export` lists the symptoms"),
        ("wz_worker_crash", "yes", "answer to 'wz_worker_crash': expected true, false or null, got 'yes'"),
        ("wz_runtime", "llama", "answer to 'wz_runtime': expected one of zebra, yak, got 'llama'"),
        ("wz_latency_ms", "fast", "answer to 'wz_latency_ms': expected a number, got 'fast'"),
        ("wz_worker_crash", [True], "answer to 'wz_worker_crash': expected a value, got [True]"),
    ],
)
def test_a_bad_answer_is_a_session_error(
    diagnoser: Diagnoser, symptom: str, value: object, message: str
) -> None:
    session = Session.start(diagnoser, description="zebra")
    with pytest.raises(SessionError) as raised:
        session.answer(symptom, value)  # type: ignore[arg-type]
    assert raised.value == SessionError(message)


def test_the_result_is_what_diagnose_gives_for_the_same_case(diagnoser: Diagnoser) -> None:
    session = Session.start(diagnoser, description="zebra", errors=["WZ-CRASH 137"])
    session.answer("wz_recent_deploy", True)
    session.set_context("wz_cluster", "blue")
    case = CaseModel(
        id=session.id,
        description="zebra",
        errors=["WZ-CRASH 137"],
        answers={"wz_recent_deploy": True},
        context={"wz_cluster": "blue"},
    )
    assert session.result().to_json() == diagnoser.diagnose(case).to_json()


def test_a_session_survives_a_json_round_trip(diagnoser: Diagnoser) -> None:
    session = Session.start(
        diagnoser, description="zebra", errors=["WZ-BACKLOG"], context={"queue_name": "q1"}
    )
    session.answer("wz_worker_crash", None)
    session.set_context("wz_cluster", "")
    restored = Session.from_json(json.loads(json.dumps(session.to_json())), diagnoser)
    assert restored.to_json() == session.to_json()
    assert [(s.cause, s.confidence) for s in restored.ranking()] == [
        (s.cause, s.confidence) for s in session.ranking()
    ]
    original, again = session.next_question(), restored.next_question()
    assert (original and original.id) == (again and again.id)
    assert restored.undo() == "wz_worker_crash"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"format": "something-else"}, "not a triage session file"),
        ({"version": 99}, "session format version 99 is not supported (expected 1)"),
        ({"answers": [["wz_gone", True]]}, "unknown symptom 'wz_gone'; `triage export` lists the symptoms"),
        (
            {"answers": "yes"},
            "session data is incomplete or malformed (not enough values to unpack (expected 2, got 1))",
        ),
        ({"id": 7}, "session data is malformed: expected text, got 7"),
    ],
)
def test_foreign_or_damaged_session_data_is_a_session_error(
    diagnoser: Diagnoser, change: dict[str, object], message: str
) -> None:
    data = {**Session.start(diagnoser, description="zebra").to_json(), **change}
    with pytest.raises(SessionError) as raised:
        Session.from_json(data, diagnoser)
    assert raised.value == SessionError(message)


def test_placeholders_are_asked_once_and_only_when_missing(diagnoser: Diagnoser) -> None:
    session = Session.start(diagnoser, context={"queue_name": "orders"})
    commands = (
        diagnoser.knowledge.causes["wz_consumer_stuck"].diagnostics
        + diagnoser.knowledge.symptoms["wz_worker_crash"].check
    )
    assert session.missing_placeholders(commands) == ["wz_cluster"]
    session.set_context("wz_cluster", "  ")
    assert session.missing_placeholders(commands) == []
    assert session.handoff().missing_placeholders == ["wz_cluster"]


def test_the_handoff_says_what_was_answered_unknown_skipped_and_why_not_the_runner_up(
    diagnoser: Diagnoser,
) -> None:
    session = Session.start(diagnoser, description="zebra", errors=["WZ-BACKLOG"])
    session.answer("wz_disk_full", False)
    session.answer("wz_recent_deploy", None)
    session.finish(skipped="wz_worker_crash")
    handoff = session.handoff()
    assert handoff.answered == [("wz_disk_full", False)]
    assert handoff.unknown == ["wz_recent_deploy"]
    assert handoff.skipped == ["wz_worker_crash"]
    assert handoff.revealed == [("wz_queue_backlog", True), ("wz_runtime", "zebra")]
    assert handoff.next_question is not None and handoff.next_question.symptom.id == "wz_worker_crash"
    runner_up = handoff.runners_up[0]
    assert runner_up.cause == "wz_worker_oom"
    assert runner_up.reasons[0].startswith("Is the wz queue backlog growing? → yes (x")
    assert runner_up.question == "wz_worker_crash"


def test_the_store_saves_atomically_and_lists_newest_first(diagnoser: Diagnoser, tmp_path: Path) -> None:
    store = SessionStore(tmp_path)
    older = Session.start(diagnoser, description="zebra one", session_id="a-older")
    newer = Session.start(diagnoser, description="zebra two", session_id="b-newer")
    older.updated, newer.updated = "2026-01-01T00:00:00+00:00", "2026-02-01T00:00:00+00:00"
    store.save(older.to_json())
    store.save(newer.to_json())
    assert sorted(p.name for p in (tmp_path / "sessions").iterdir()) == ["a-older.json", "b-newer.json"]
    assert [s.id for s in store.summaries()] == ["b-newer", "a-older"]
    assert store.latest() == "b-newer"
    assert Session.from_json(store.load("a-older"), diagnoser).description == "zebra one"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            '{"format": "triage-session", ',
            "corrupt session file (Expecting property name enclosed in double quotes); delete it or start a new session with `triage`",
        ),
        ('["a list"]', "not a triage session file"),
        ('{"format": "pickle"}', "not a triage session file"),
    ],
)
def test_a_corrupt_or_foreign_file_is_one_session_error_naming_it(
    tmp_path: Path, content: str, message: str
) -> None:
    store = SessionStore(tmp_path)
    path = store.path("broken")
    path.parent.mkdir(parents=True)
    path.write_text(content)
    with pytest.raises(SessionError) as raised:
        store.load("broken")
    assert raised.value.message == message
    assert raised.value.place is not None and raised.value.place.path == str(path)
    assert [s.problem for s in store.summaries()] == [message]


@pytest.mark.parametrize("session_id", ["../etc/passwd", "", "a/b", ".hidden"])
def test_session_ids_cannot_leave_the_folder(tmp_path: Path, session_id: str) -> None:
    with pytest.raises(SessionError) as raised:
        SessionStore(tmp_path).path(session_id)
    assert raised.value == SessionError(f"{session_id!r} is not a session id; `triage sessions` lists them")
    assert raised.value.place is None or isinstance(raised.value.place, Place)
