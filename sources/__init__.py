"""The 素材库: outside documents (other schools' newsletters, ministry notices, policy plans) read
into candidate articles that editors excerpt (摘编) into the next issue.

The pure reading layer, no Django: :mod:`sources.readers` (files and pasted text → lines),
:mod:`sources.lines` (broken lines → paragraphs; the editor's clean paste uses it too),
:mod:`sources.tables` (which paragraphs are tables), :mod:`sources.kinds` (what a paragraph is),
:mod:`sources.parse` (paragraphs → a :class:`~sources.parse.SourceDocument` of
:class:`~sources.parse.Candidate` articles, bodies by :mod:`sources.body` as
:mod:`sources.blocks`) and :mod:`sources.similar` (is a candidate already in the archive?).
"""
