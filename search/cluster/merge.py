"""The shards' candidates merged into the ranking one index would give.

One index ranks by BM25F, then rescores its best :data:`config.POOL` for
proximity and puts them, re-sorted, before the rest (:func:`search.ranking.rank.rank`).
Shards score with the whole collection's statistics, so their BM25F scores
compare; the global best POOL by BM25F are each among their shard's best POOL,
whose rescored scores the shards sent. Ties go to the path and paragraph that
come first: one index breaks them by docnum, which shards do not share, and
its docnums follow the files' sorted order when it is built in one go.

    >>> from search.cluster.shard_tasks import Candidate, ShardAnswer
    >>> def answer(*scores): return ShardAnswer(len(scores), [
    ...     Candidate(s, r, f"p{s}", 1, "kk", "", None) for s, r in scores])
    >>> [c.path for c, _ in merged({0: answer((3.0, 3.0), (1.0, 9.0)), 1: answer((2.0, 2.0))},
    ...                            limit=2, rescoring=False)]
    ['p3.0', 'p2.0']
"""

from search.cluster.shard_tasks import Candidate, ShardAnswer
from search.ranking import config


def merged(answers: dict[int, ShardAnswer], limit: int,
           rescoring: bool) -> list[tuple[Candidate, float]]:
    """The best ``limit`` (candidate, final score), best first."""
    candidates = sorted((candidate for answer in answers.values()
                         for candidate in answer.candidates),
                        key=lambda c: (-c.score, c.path, c.paragraph))
    if not rescoring:
        return [(candidate, candidate.score) for candidate in candidates[:limit]]
    pool = [(candidate, candidate.rescored) for candidate in candidates[:config.POOL]]
    pool.sort(key=lambda hit: -hit[1])  # stable: as proximity.rescore sorts
    rest = [(candidate, candidate.score) for candidate in candidates[config.POOL:]]
    return (pool + rest)[:limit]
