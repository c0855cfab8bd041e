"""What the user typed to a query object: syntax, rewriting (Latin, folded, typos), spelling."""
