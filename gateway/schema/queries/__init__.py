"""One module per feature; gateway/schema/query.py merges them into the root Query."""
