"""How a lexical and a semantic score make one: the candidates and three fusions.

The candidates of a query are its best ``pool`` lexical hits and, for plain
queries, its ``nearest`` paragraphs by cosine that the pool lacks (found by
brute force over every embedding: :mod:`search.semantic.nearest`). A
:class:`Fusion` scores them in one of three ways, as Elasticsearch's and
Vespa's hybrid search do:

- ``minmax``: ``(1 - w) * min-max(Izde score over the pool) + w * cosine``; a
  paragraph only the model found has lexical 0 (the first shipped setting);
- ``zscore``: ``(1 - w) * z(Izde score over the pool) + w * z(cosine)``, the
  cosine standardised against its mean and deviation over every paragraph of
  the index: e5's cosines lie in a narrow band that moves from query to query,
  and this says how unusual a paragraph is *for this query*. A paragraph only
  the model found scores one deviation below the lowest lexical hit;
- ``rrf``: reciprocal rank fusion, ``(1 - w) / (c + lexical rank) + w / (c +
  semantic rank among the candidates)``; only the model's: no lexical rank.

A fourth part can join any of them, **dense pseudo-relevance feedback**
(Rocchio's idea in embedding space): the mean embedding of the best
``feedback`` lexical hits is a second query, and each candidate's cosine with
it, normalised as the cosine is, weighs ``v``; the lexical part then weighs
``1 - w - v``. A paragraph like the ones the words found best gains, which
helps where the model reads the question poorly (Kazakh) but reads paragraphs
well enough to tell which resemble each other; it costs one more product with
every embedding (no model call).

Before any of them, the query's embedding can be **centred on its
neighbourhood**: ``centre_weight`` times the mean embedding of its ``centre``
nearest paragraphs is taken from it (:func:`centred_query`), and every cosine
is the centred query's. e5-small embeds many Kazakh questions near a crowd of
paragraphs that resemble questions in general (transcribed speech, for one)
more than they answer any; what the query shares with its whole neighbourhood
is that crowd, and what is left tells the neighbours apart (the idea of
hubness reduction, e.g. CSLS in cross-lingual retrieval). It costs a second
product with every embedding (no model call).

Which one, and its ``pool``, ``nearest``, ``w``, ``feedback``, ``v`` and centring, is chosen
by cross-validation (:mod:`search.evaluation.semantic_folds`, docs/semantic.md).
Lexical hits past the candidates follow in lexical order, scored below them.
"""

from dataclasses import dataclass
from typing import Hashable, Mapping, Sequence

import numpy as np

METHODS = ("minmax", "zscore", "rrf")


def feedback_query(vectors: np.ndarray) -> np.ndarray:
    """The second query of pseudo-relevance feedback: the mean of ``vectors`` (the
    embeddings of the best lexical hits), of length 1.

    >>> [round(float(x), 4) for x in feedback_query(np.array([[1.0, 0.0], [0.0, 1.0]]))]
    [0.7071, 0.7071]
    """
    centre = np.asarray(vectors, np.float32).mean(axis=0)
    norm = float(np.linalg.norm(centre))
    return centre / norm if norm > 0 else centre


def centred_query(query: np.ndarray, neighbours: np.ndarray, weight: float) -> np.ndarray:
    """``query`` less ``weight`` times the mean of ``neighbours`` (the embeddings of the
    paragraphs nearest it); unchanged when there are none.

    >>> centred_query(np.array([1.0, 0.0]), np.array([[1.0, 0.0], [0.0, 1.0]]), 0.5).tolist()
    [0.75, -0.25]
    """
    query = np.asarray(query, np.float32)
    if not len(neighbours) or weight == 0:
        return query
    return query - np.float32(weight) * np.asarray(neighbours, np.float32).mean(axis=0)


@dataclass(frozen=True)
class Feedback:
    """The cosines of the candidates with the feedback query, and that cosine's mean
    and deviation over the whole index (as for the query's own cosine)."""

    cosines: Mapping[Hashable, float]
    mean: float = 0.0
    std: float = 1.0


@dataclass(frozen=True)
class Fusion:
    method: str = "zscore"
    pool: int = 100       # lexical hits fused
    nearest: int = 10     # paragraphs by cosine added to them (plain queries only)
    weight: float = 0.7   # the semantic side's share
    rrf_constant: int = 60
    feedback: int = 0            # best lexical hits whose mean embedding is a second query
    feedback_weight: float = 0.0  # that second query's share
    centre: int = 0               # nearest paragraphs whose mean embedding is taken from the query
    centre_weight: float = 0.0    # how much of that mean

    def __post_init__(self):
        if self.method not in METHODS:
            raise ValueError(f"fusion method {self.method!r}: use one of {', '.join(METHODS)}")
        if self.weight + self.feedback_weight > 1.0 + 1e-9:
            raise ValueError(f"semantic weight {self.weight:g} and feedback weight "
                             f"{self.feedback_weight:g} leave the lexical side less than 0")

    @property
    def uses_feedback(self) -> bool:
        return self.feedback > 0 and self.feedback_weight > 0

    @property
    def centres(self) -> bool:
        return self.centre > 0 and self.centre_weight > 0

    @property
    def lexical_weight(self) -> float:
        return 1.0 - self.weight - (self.feedback_weight if self.uses_feedback else 0.0)

    def describe(self) -> str:
        """One line for reports.

        >>> Fusion("rrf", 50, 0, 0.4, 10).describe()
        'rrf (c 10), lexical top 50 + nearest 0, semantic weight 0.4'
        >>> Fusion("zscore", 100, 10, 0.65, feedback=5, feedback_weight=0.05).describe()
        'zscore, lexical top 100 + nearest 10, semantic weight 0.65, feedback top 5 weight 0.05'
        >>> Fusion("zscore", 100, 0, 0.5, centre=20, centre_weight=0.5).describe().split(", ")[-1]
        'query centred on its 20 nearest by 0.5'
        """
        method = f"rrf (c {self.rrf_constant})" if self.method == "rrf" else self.method
        feedback = (f", feedback top {self.feedback} weight {self.feedback_weight:g}"
                    if self.uses_feedback else "")
        centre = (f", query centred on its {self.centre} nearest by {self.centre_weight:g}"
                  if self.centres else "")
        return (f"{method}, lexical top {self.pool} + nearest {self.nearest}, "
                f"semantic weight {self.weight:g}{feedback}{centre}")

    def as_dict(self) -> dict:
        return {"method": self.method, "pool": self.pool, "nearest": self.nearest,
                "weight": self.weight,
                **({"rrf_constant": self.rrf_constant} if self.method == "rrf" else {}),
                **({"feedback": self.feedback, "feedback_weight": self.feedback_weight}
                   if self.uses_feedback else {}),
                **({"centre": self.centre, "centre_weight": self.centre_weight}
                   if self.centres else {})}

    def fuse(self, hits: Sequence[tuple[Hashable, float]], pool_cosines: np.ndarray,
             nearest: Sequence[tuple[Hashable, float]], mean: float = 0.0, std: float = 1.0,
             limit: int | None = None,
             feedback: Feedback | None = None) -> list[tuple[Hashable, float]]:
        """The ranking: candidates by fused score, then the lexical tail; ``limit`` long.

        ``hits`` are the lexical hits best first; ``pool_cosines`` the cosines of
        the first ``min(pool, len(hits))``; ``nearest`` paragraphs by cosine, best
        first (the first ``nearest`` the pool lacks join); ``mean`` and ``std`` of
        the cosine over the whole index (for ``zscore``); ``feedback`` the
        candidates' cosines with the feedback query (of this fusion's ``feedback``
        best hits), used when the fusion weighs it.

        >>> Fusion("minmax", pool=2, nearest=1, weight=0.9).fuse(
        ...     [("a", 9.0), ("b", 3.0), ("c", 1.0)], np.array([0.1, 0.9]), [("b", 0.9), ("x", 0.8)])
        [('b', 0.81), ('x', 0.72), ('a', 0.19), ('c', 0.156666)]
        """
        parts = self.parts(hits, pool_cosines, nearest, mean, std, feedback)
        if not parts.candidates:
            return []
        scores = self.lexical_weight * parts.lexical + self.weight * parts.semantic
        if parts.feedback is not None:
            scores = scores + self.feedback_weight * parts.feedback
        order = np.argsort(-scores, kind="stable")
        ranked = [(parts.candidates[i], round(float(scores[i]), 6)) for i in order]
        if parts.tail:
            # Below every candidate, in lexical order: the lowest fused score minus
            # how far each falls below the pool's lowest lexical score.
            lowest = float(scores.min())
            ranked += [(doc, round(float(lowest - self.lexical_weight * (parts.floor - part))
                                   - 1e-6, 6)) for doc, part in zip(parts.tail, parts.tail_lexical)]
        return ranked if limit is None else ranked[:limit]

    def parts(self, hits, pool_cosines, nearest, mean: float = 0.0,
              std: float = 1.0, feedback: Feedback | None = None) -> "FusionParts":
        """What :meth:`fuse` weighs, the same for every ``weight`` (the cross-validation
        weighs it many ways)."""
        pool = list(hits[:self.pool])
        in_pool = {doc for doc, _ in pool}
        extra = [(doc, cos) for doc, cos in nearest if doc not in in_pool][:self.nearest]
        taken = in_pool | {doc for doc, _ in extra}
        tail = [(doc, score) for doc, score in hits[self.pool:] if doc not in taken]
        lexical = np.array([score for _, score in pool], np.float64)
        cosines = np.concatenate([np.asarray(pool_cosines[:len(pool)], np.float64),
                                  np.array([cos for _, cos in extra], np.float64)])
        lexical_part, floor = self._lexical(lexical, len(extra))
        tail_lexical = self._lexical_of(np.array([s for _, s in tail], np.float64), lexical,
                                        start=len(pool) + 1)
        candidates = [doc for doc, _ in (*pool, *extra)]
        feedback_part = None
        if self.uses_feedback and feedback is not None:
            # a candidate the caller gave no cosine for counts as an average paragraph
            feedback_part = self._semantic(
                np.array([feedback.cosines.get(doc, feedback.mean) for doc in candidates],
                         np.float64), feedback.mean, feedback.std)
        return FusionParts(candidates, lexical_part, self._semantic(cosines, mean, std), floor,
                           [doc for doc, _ in tail], tail_lexical, feedback_part)

    # -- the two sides ------------------------------------------------------------

    def _lexical(self, lexical: np.ndarray, extras: int) -> tuple[np.ndarray, float]:
        """(the lexical part of each candidate, the pool's lowest lexical part)."""
        part = self._lexical_of(lexical, lexical, start=1)
        floor = float(part.min()) if len(part) else 0.0
        if self.method == "minmax":
            missing = 0.0
        elif self.method == "zscore":
            missing = floor - 1.0
        else:
            missing = 0.0  # no lexical rank: no reciprocal-rank share
        return np.concatenate([part, np.full(extras, missing)]), floor

    def _lexical_of(self, scores: np.ndarray, pool: np.ndarray, start: int) -> np.ndarray:
        """Lexical scores normalised by the pool's (ranks from ``start`` for rrf)."""
        if self.method == "rrf":
            return 1.0 / (self.rrf_constant + np.arange(start, start + len(scores)))
        if not len(pool):
            return np.zeros(len(scores))
        if self.method == "minmax":
            low, high = float(pool.min()), float(pool.max())
            return (scores - low) / (high - low) if high > low else np.ones(len(scores))
        spread = float(pool.std())
        return (scores - float(pool.mean())) / spread if spread > 0 else np.zeros(len(scores))

    def _semantic(self, cosines: np.ndarray, mean: float, std: float) -> np.ndarray:
        if self.method == "minmax":
            return cosines
        if self.method == "zscore":
            return (cosines - mean) / std if std > 0 else np.zeros(len(cosines))
        ranks = np.empty(len(cosines))
        ranks[np.argsort(-cosines, kind="stable")] = np.arange(1, len(cosines) + 1)
        return 1.0 / (self.rrf_constant + ranks)


@dataclass
class FusionParts:
    """The candidates with their normalised lexical and semantic parts, and the tail."""

    candidates: list
    lexical: np.ndarray
    semantic: np.ndarray
    floor: float               # the pool's lowest lexical part
    tail: list                 # lexical hits past the candidates, in lexical order
    tail_lexical: np.ndarray
    feedback: np.ndarray | None = None  # with the feedback query, when the fusion weighs it

    def rankings(self, weights: Sequence[float], depth: int = 10,
                 feedback_weight: float = 0.0) -> list[list]:
        """The first ``depth`` of the ranking :meth:`Fusion.fuse` gives at each weight
        (and the feedback weight of the fusion these parts are of).

        >>> parts = Fusion("minmax", 2, 1).parts([("a", 9.0), ("b", 3.0), ("c", 1.0)],
        ...     np.array([0.1, 0.9]), [("b", 0.9), ("x", 0.8)])
        >>> parts.rankings([0.0, 0.9], depth=4)
        [['a', 'b', 'x', 'c'], ['b', 'x', 'a', 'c']]
        """
        if not self.candidates:
            return [[] for _ in weights]
        w = np.asarray(weights, np.float64)[:, None]
        scores = (1.0 - w - feedback_weight) * self.lexical + w * self.semantic
        if self.feedback is not None:
            scores = scores + feedback_weight * self.feedback
        orders = np.argsort(-scores, axis=1, kind="stable")[:, :depth]
        tail = self.tail[:max(0, depth - len(self.candidates))]
        return [[self.candidates[i] for i in order] + tail for order in orders]
