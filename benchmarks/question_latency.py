"""Next-question latency in a wizard session, p50/p95, on the shipped knowledge and 10x synthetic.

Simulated users (as in ``triage evaluate``) answer until the session stops; every call of
``Session.next_question()`` is timed, and so is ``Session.answer()`` (re-ranking and the rules).

    python benchmarks/question_latency.py [--users 3] [--scales 1,10]
"""

from __future__ import annotations

import argparse
import time

from synthetic import describe, percentiles, scaled

from triage.diagnosis import Diagnoser
from triage.evaluation import AnswerSampler, make_user
from triage.session import Session

TARGETS_MS = {1: 50.0, 10: 150.0}


def measure(factor: int, users_per_cause: int, limit_causes: int) -> None:
    knowledge = scaled(factor)
    diagnoser = Diagnoser(knowledge)
    sampler = AnswerSampler(knowledge)
    Session.start(diagnoser).next_question()  # build the question tables once, as the wizard does
    asking: list[float] = []
    answering: list[float] = []
    causes = list(knowledge.causes)[:limit_causes]
    for index, cause in enumerate(causes):
        for user_index in range(users_per_cause):
            user = make_user(sampler, cause, index * 1000 + user_index)
            session = Session.start(diagnoser)
            while True:
                start = time.perf_counter()
                question = session.next_question()
                asking.append(time.perf_counter() - start)
                if question is None:
                    break
                start = time.perf_counter()
                session.answer(question.id, user.answer(question.id))
                answering.append(time.perf_counter() - start)
    p50, p95 = percentiles(asking)
    a50, a95 = percentiles(answering)
    target = TARGETS_MS.get(factor)
    verdict = (
        f" (target p95 <= {target:.0f} ms: {'met' if p95 * 1000 <= target else 'NOT met'})" if target else ""
    )
    print(
        f"{factor}x: {describe(knowledge)}; {len(asking)} questions from {len(causes) * users_per_cause} users"
    )
    print(f"  next_question  p50 {p50 * 1000:7.2f} ms   p95 {p95 * 1000:7.2f} ms{verdict}")
    print(f"  answer         p50 {a50 * 1000:7.2f} ms   p95 {a95 * 1000:7.2f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=2, help="users per cause")
    parser.add_argument("--causes", type=int, default=60, help="causes sampled (the first N)")
    parser.add_argument("--scales", default="1,10")
    options = parser.parse_args()
    for factor in (int(s) for s in options.scales.split(",")):
        measure(factor, options.users, options.causes)


if __name__ == "__main__":
    main()
