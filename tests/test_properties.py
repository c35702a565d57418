"""Property tests: whatever bytes a user or author feeds in, triage succeeds or raises its own error."""

from __future__ import annotations

import contextlib
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from triage.cases import parse_cases
from triage.errors import TriageError
from triage.loading import load_knowledge
from triage.yamlfile import decode_text

PROPERTY_SETTINGS = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

yaml_scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=20)
)
yaml_values = st.recursive(
    yaml_scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=20,
)
case_like = st.fixed_dictionaries(
    {},
    optional={
        "id": yaml_values,
        "description": yaml_values,
        "errors": yaml_values,
        "answers": yaml_values,
        "context": yaml_values,
        "cases": yaml_values,
    },
)
knowledge_like = st.fixed_dictionaries(
    {},
    optional={
        "symptoms": st.lists(
            st.fixed_dictionaries(
                {"id": yaml_values},
                optional={"question": yaml_values, "kind": yaml_values, "patterns": yaml_values},
            ),
            max_size=3,
        ),
        "causes": st.lists(
            st.dictionaries(
                st.sampled_from(["id", "title", "summary", "evidence", "sources", "prior"]), yaml_values
            ),
            max_size=3,
        ),
        "rules": yaml_values,
        "procedures": yaml_values,
    },
)


@PROPERTY_SETTINGS
@given(st.binary(max_size=300))
def test_any_bytes_as_a_case_file_parse_or_raise_our_error(raw: bytes) -> None:
    with contextlib.suppress(TriageError):
        parse_cases(decode_text(raw, "case.yaml", TriageError), "case.yaml")


@PROPERTY_SETTINGS
@given(st.text(max_size=300))
def test_any_text_as_a_case_file_parses_or_raises_our_error(text: str) -> None:
    with contextlib.suppress(TriageError):
        parse_cases(text, "case.yaml")


@PROPERTY_SETTINGS
@given(case_like)
def test_any_case_shaped_data_parses_or_raises_our_error(data: dict[str, object]) -> None:
    for dump in (yaml.safe_dump(data), __import__("json").dumps(data, default=str)):
        with contextlib.suppress(TriageError):
            parse_cases(dump, "case.yaml")


@PROPERTY_SETTINGS
@given(st.one_of(knowledge_like.map(yaml.safe_dump), st.text(max_size=300)))
def test_any_knowledge_file_loads_or_raises_our_error(tmp_path: Path, text: str) -> None:
    path = tmp_path / "k.yaml"
    path.write_text(text)
    with contextlib.suppress(TriageError):
        load_knowledge([path], shipped=False)


@PROPERTY_SETTINGS
@given(st.binary(max_size=300))
def test_any_bytes_as_a_knowledge_file_load_or_raise_our_error(tmp_path: Path, raw: bytes) -> None:
    path = tmp_path / "k.yaml"
    path.write_bytes(raw)
    with contextlib.suppress(TriageError):
        load_knowledge([path], shipped=False)
