"""Sequence tagging (chapter 07): a part-of-speech tagger, a named-entity tagger, and how to score them.

- :mod:`~course_utils.tagging.tagger`: vocabularies, padded batches, the (bidirectional)
  tagger model and its predictions
- :mod:`~course_utils.tagging.metrics`: token accuracy, per-tag precision/recall/F1,
  macro-F1 and the most-frequent-tag baseline
- :mod:`~course_utils.tagging.entities`: entity spans from BIO tags and entity-level
  (CoNLL) precision, recall and F1

Nothing is imported here; import the module you need.
"""
