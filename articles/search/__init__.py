"""Full-text search over articles and the registry, for Chinese text.

* ``service.search(query=…, kinds=…, filters=…, page=…, per_page=…)`` — the one way to search.
* ``indexing`` — keeps the index current (signals call it; so does ``rebuild_search_index``).
* ``tokens`` and ``highlight`` — pure text code: normalisation, bigrams, the query language,
  snippets.
* ``backends`` — the only module with search SQL, one backend per database.
"""
