"""Relevance scores for the ``query`` parameter: TF-IDF vectors compared by cosine similarity.

SciCat's search API gets its scores from the PaNOSC search scoring service (PSS), which weighs
each item's terms by TF-IDF over the whole catalogue and scores an item by the cosine between
its vector and the query's. This is the same model, computed in-process over the indexed
snapshot: scores lie in [0, 1], 1 meaning the item's terms are exactly the query's.

What an item's text is: a dataset's title, description, keywords, technique, sample and
instrument names; a document's title, summary, keywords, people and the titles of
its datasets; the title counts twice. Parameters are left out: every dataset of a facility
has the same parameter names, which would only dilute the vectors (parameters are searched
with ``include``). Terms are lower-cased words and numbers; English stop words are dropped.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from .model import Catalogue, Node

_TOKEN = re.compile(r"[^\W_]+(?:[.'][^\W_]+)*", re.UNICODE)
STOP_WORDS = frozenset(
    ["a", "an", "and", "are", "as", "at", "be", "by", "for", "from", "has", "have", "in", "is", "it", "its", "of", "on", "or", "that", "the", "this", "to", "was", "were", "with", "which", "who", "what", "when", "where", "how", "not", "no"]
)


def terms(text: str) -> list[str]:
    return [
        token for token in (t.casefold() for t in _TOKEN.findall(text))
        if token not in STOP_WORDS and (len(token) > 1 or token.isdigit())
    ]


def item_text(node: Node) -> str:
    title = str(node.fields.get("title") or "")
    parts = [title, node.search_text]  # the title counts twice: it names the item
    if node.kind == "Dataset":
        for relation in ("techniques", "samples", "instrument"):
            parts += [str(other.fields.get("name") or "") for other in node.linked(relation)]
    elif node.kind == "Document":
        for member in node.linked("members"):
            parts += [str(p.fields.get("fullName") or "") for p in member.linked("person")]
        parts += [str(d.fields.get("title") or "") for d in node.linked("datasets")]
    return " ".join(parts)


@dataclass
class TfIdf:
    """One kind's vectors: term → idf, and term → {item: weight in the item's unit vector}."""

    idf: dict[str, float]
    postings: dict[str, dict[str, float]]

    @classmethod
    def build(cls, nodes: Iterable[Node]) -> TfIdf:
        counts = {node.key: Counter(terms(item_text(node))) for node in nodes}
        frequency: Counter[str] = Counter()
        for bag in counts.values():
            frequency.update(bag.keys())
        total = len(counts)
        idf = {term: math.log((1 + total) / (1 + df)) + 1.0 for term, df in frequency.items()}
        postings: dict[str, dict[str, float]] = {}
        for key, bag in counts.items():
            for term, weight in _unit({t: (1 + math.log(n)) * idf[t] for t, n in bag.items()}).items():
                postings.setdefault(term, {})[key] = weight
        return cls(idf, postings)

    def scores(self, query: str) -> dict[str, float]:
        """Cosine similarity of every item with the query; items sharing no term are absent."""
        bag = Counter(t for t in terms(query) if t in self.idf)
        if not bag:
            return {}
        wanted = _unit({t: (1 + math.log(n)) * self.idf[t] for t, n in bag.items()})
        if not wanted:
            return {}
        found: dict[str, float] = {}
        for term, weight in wanted.items():
            for key, own in self.postings[term].items():
                found[key] = found.get(key, 0.0) + weight * own
        return {key: round(score, 6) for key, score in found.items() if score > 0}


def _unit(weights: dict[str, float]) -> dict[str, float]:
    norm = math.sqrt(sum(w * w for w in weights.values()))
    return {t: w / norm for t, w in weights.items()} if norm else {}


def build_indexes(catalogue: Catalogue) -> dict[str, TfIdf]:
    return {kind: TfIdf.build(catalogue.all(kind)) for kind in ("Dataset", "Document")}
