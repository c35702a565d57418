"""How symptoms, facts, rules, causes and procedures connect: edges, neighbourhoods, diagrams."""

from __future__ import annotations

from dataclasses import dataclass

from .knowledge import Knowledge
from .models import Condition

NODE_KINDS = ("symptom", "fact", "rule", "cause", "procedure")


@dataclass(frozen=True, order=True)
class Node:
    kind: str  # one of NODE_KINDS
    id: str

    @property
    def key(self) -> str:
        return f"{self.kind[0].upper()}_{self.id}"


@dataclass(frozen=True, order=True)
class Edge:
    """A link from one node to another: ``relation`` says how (evidence, tests, derives...)."""

    source: Node
    target: Node
    relation: str
    label: str = ""
    weakens: bool = False


def edges(knowledge: Knowledge) -> list[Edge]:
    """Every link in the knowledge."""
    found: list[Edge] = []
    for cause in knowledge.causes.values():
        target = Node("cause", cause.id)
        for item in cause.evidence:
            symptom = knowledge.symptoms.get(item.symptom)
            label = item.likelihood if isinstance(item.likelihood, str) else f"{item.likelihood:g}"
            if item.value is not True and not isinstance(item.value, bool):
                label = f"{item.value}: {label}"
            elif item.value is False:
                label = f"no: {label}"
            weakens = (
                symptom is not None
                and symptom.kind == "boolean"
                and _weakens(item.probability, item.value, symptom.base_rate)
            )
            found.append(Edge(Node("symptom", item.symptom), target, "evidence", label, weakens))
        for procedure in cause.procedures:
            found.append(Edge(target, Node("procedure", procedure), "procedure"))
    for rule in knowledge.rules.values():
        node = Node("rule", rule.id)
        for name in dict.fromkeys(_tested(rule.when, knowledge)):
            found.append(Edge(name, node, "tests"))
        for derivation in rule.then.derive:
            found.append(Edge(node, Node("fact", derivation.fact), "derives"))
        for weight in rule.then.evidence:
            found.append(
                Edge(node, Node("cause", weight.cause), "weighs", f"x{weight.factor:g}", weight.factor < 1)
            )
        for asked in rule.then.ask:
            found.append(Edge(node, Node("symptom", asked), "asks"))
    for symptom in knowledge.symptoms.values():
        if symptom.ask_when is not None:
            for name in dict.fromkeys(_tested(symptom.ask_when, knowledge)):
                found.append(Edge(name, Node("symptom", symptom.id), "ask_when"))
    return found


def _weakens(probability: float, value: object, base_rate: float) -> bool:
    p_true = probability if value is True else 1 - probability
    return p_true < base_rate


def _tested(condition: Condition, knowledge: Knowledge) -> list[Node]:
    nodes = []
    for kind, name in condition.references():
        is_symptom = kind == "symptom" or (name in knowledge.symptoms and name not in knowledge.derived_facts)
        nodes.append(Node("symptom" if is_symptom else "fact", name))
    return nodes


def find_node(knowledge: Knowledge, object_id: str) -> Node | None:
    """The node with this id: a symptom, cause, rule, procedure or derived fact."""
    for kind in ("symptom", "cause", "rule", "procedure"):
        if object_id in getattr(knowledge, kind + "s"):
            return Node(kind, object_id)
    if object_id in knowledge.derived_facts:
        return Node("fact", object_id)
    return None


def neighbourhood(knowledge: Knowledge, centre: Node) -> list[Edge]:
    """The edges touching ``centre``, followed through rules and facts so chains stay whole."""
    every = edges(knowledge)
    chosen: list[Edge] = []
    frontier = {centre}
    visited: set[Node] = set()
    while frontier:
        node = frontier.pop()
        visited.add(node)
        for edge in every:
            if node not in (edge.source, edge.target) or edge in chosen:
                continue
            chosen.append(edge)
            other = edge.target if edge.source == node else edge.source
            if other not in visited and other.kind in ("rule", "fact") and node.kind != "cause":
                frontier.add(other)
    return chosen


def nodes_of(chosen: list[Edge]) -> list[Node]:
    return sorted({node for edge in chosen for node in (edge.source, edge.target)})


_MERMAID_SHAPES = {
    "symptom": ('(["', '"])'),
    "fact": ('(("', '"))'),
    "rule": ('{{"', '"}}'),
    "cause": ('["', '"]'),
    "procedure": ('[["', '"]]'),
}


def mermaid(chosen: list[Edge], highlight: Node | None = None) -> str:
    """A Mermaid flowchart of the edges (symptoms and facts on the left, causes on the right)."""
    lines = ["flowchart LR"]
    for node in nodes_of(chosen):
        start, end = _MERMAID_SHAPES[node.kind]
        lines.append(f"  {node.key}{start}{node.kind}: {node.id}{end}")
    for edge in chosen:
        arrow = "-.->" if edge.weakens or edge.relation in ("asks", "ask_when") else "-->"
        label = edge.label or (edge.relation if edge.relation != "evidence" else "")
        text = f"|{label}|" if label else ""
        lines.append(f"  {edge.source.key} {arrow}{text} {edge.target.key}")
    if highlight is not None:
        lines.append(f"  style {highlight.key} stroke-width:3px")
    return "\n".join(lines) + "\n"


_DOT_SHAPES = {
    "symptom": "ellipse",
    "fact": "circle",
    "rule": "hexagon",
    "cause": "box",
    "procedure": "component",
}


def dot(chosen: list[Edge], highlight: Node | None = None) -> str:
    """A Graphviz digraph of the edges."""
    lines = ["digraph triage {", "  rankdir=LR;"]
    for node in nodes_of(chosen):
        extra = ", penwidth=3" if node == highlight else ""
        lines.append(
            f'  "{node.key}" [label="{node.kind}: {node.id}", shape={_DOT_SHAPES[node.kind]}{extra}];'
        )
    for edge in chosen:
        label = edge.label or (edge.relation if edge.relation != "evidence" else "")
        attributes = [f'label="{label}"'] if label else []
        if edge.weakens or edge.relation in ("asks", "ask_when"):
            attributes.append("style=dashed")
        suffix = f" [{', '.join(attributes)}]" if attributes else ""
        lines.append(f'  "{edge.source.key}" -> "{edge.target.key}"{suffix};')
    lines.append("}")
    return "\n".join(lines) + "\n"


_LINK_HEADINGS = {
    ("evidence", "in"): "evidence from symptoms",
    ("evidence", "out"): "evidence for causes",
    ("procedure", "out"): "procedures",
    ("procedure", "in"): "named by causes",
    ("tests", "in"): "tests",
    ("tests", "out"): "tested by rules",
    ("derives", "out"): "derives facts",
    ("derives", "in"): "derived by rules",
    ("weighs", "out"): "weighs causes",
    ("weighs", "in"): "weighed by rules",
    ("asks", "out"): "asks next",
    ("asks", "in"): "suggested by rules",
    ("ask_when", "in"): "asked only when these hold",
    ("ask_when", "out"): "decides whether to ask",
}


def links(knowledge: Knowledge, node: Node) -> dict[str, list[str]]:
    """What links to ``node``, grouped under a heading per kind of link: ``{"weighed by rules": [...]}``."""
    grouped: dict[str, list[str]] = {}
    for edge in edges(knowledge):
        if edge.source == node:
            other, direction = edge.target, "out"
        elif edge.target == node:
            other, direction = edge.source, "in"
        else:
            continue
        heading = _LINK_HEADINGS[(edge.relation, direction)]
        text = f"{other.id} ({edge.label})" if edge.label else other.id
        if text not in grouped.setdefault(heading, []):
            grouped[heading].append(text)
    return grouped
