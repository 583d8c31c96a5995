"""Full-text search over articles and the registry, for Chinese text.

* ``service.search(query=…, kinds=…, filters=…, page=…, per_page=…)`` — the one way to search.
* ``documents`` — where the documents come from: each app's own module, named in
  ``settings.ZHIJIAO_SEARCH_DOCUMENTS`` (search imports no app).
* ``indexing`` — keeps the index current (a step of every content change; so does
  ``rebuild_search_index``).
* ``highlight`` — pure text code: snippets (the tokens and the query language are core/tokens.py).
* ``backends`` — the only module with search SQL, one backend per database.
"""
