"""Export actor networks as GraphML (nodes labelled, edges weighted) or CSV edge lists."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session

from db.exports.atomic import atomic_path
from db.exports.csvfile import write_csv
from db.logic import networks
from db.logic.csvcells import neutralise
from db.queries.positions import StatementFilter, list_statement_facts

KINDS = ("two-mode", "congruence", "conflict")


def network_edges(
    session: Session,
    kind: str,
    criteria: StatementFilter | None = None,
    *,
    stance: int | None = None,
    dedupe: bool = False,
    binary: bool = False,
    normalise: str = "none",
) -> list[networks.Edge]:
    facts = [
        networks.Fact(s.document_id, s.actor, s.issue, s.stance)
        for s in list_statement_facts(session, criteria)
    ]
    if dedupe:
        facts = networks.deduplicate(facts)
    if kind == "two-mode":
        return networks.two_mode(facts, stance)
    return networks.one_mode(facts, kind, binary=binary, normalise=normalise)


def write_network(edges: list[networks.Edge], kind: str, target: str | Path) -> int:
    """GraphML for ``.graphml``, otherwise a CSV edge list; returns the number of edges."""
    target = Path(target)
    if target.suffix.lower() != ".graphml":
        rows = ([neutralise(e.source), neutralise(e.target), e.weight] for e in edges)
        return write_csv(target, ("source", "target", "weight"), rows)
    import networkx as nx  # on first GraphML only: ~0.2 s to import, paid by every start

    graph = nx.Graph(network=kind)
    two_mode = kind == "two-mode"
    for e in edges:
        source, target_node = f"actor:{e.source}", f"{'issue' if two_mode else 'actor'}:{e.target}"
        graph.add_node(source, label=e.source, type="actor")
        graph.add_node(target_node, label=e.target, type="issue" if two_mode else "actor")
        graph.add_edge(source, target_node, weight=float(e.weight))
    with atomic_path(target) as tmp:
        nx.write_graphml(graph, tmp)
    return len(edges)
