"""Search: lexical index, embeddings, vector index, fusion (pure), similar papers, evaluation."""
