"""Hits to snippets: which words a query matched, and the passage that shows them."""
