"""One module per feature's writes; gateway/schema/mutation.py merges them into the root Mutation."""
