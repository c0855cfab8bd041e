"""The JSON object of a search: what `izde search --json` prints and `GET /api/search` returns."""


def search_response(query: str, hits) -> dict:
    """``hits`` (:class:`search.index.Hits`) as the object scripts read, keys in a fixed order.

        >>> search_response("су", Index("index").search("су"))["hits"][0]["path"]
    """
    return {"query": query, "searched_for": hits.searched_for,
            "did_you_mean": hits.did_you_mean, "folded": hits.folded,
            "hits": [hit.as_dict() for hit in hits]}
