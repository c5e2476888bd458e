"""Sequence tagging (chapter 07): a part-of-speech tagger and how to score it.

- :mod:`~course_utils.tagging.tagger`: vocabularies, padded batches, the (bidirectional)
  tagger model and its predictions
- :mod:`~course_utils.tagging.metrics`: token accuracy, per-tag precision/recall/F1,
  macro-F1 and the most-frequent-tag baseline

Nothing is imported here; import the module you need.
"""
