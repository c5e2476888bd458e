"""course_utils: the learner library of the Recurrent course (the course's own tooling is
:mod:`course_kit`, which this library never imports).

Nothing is imported here, so ``import course_utils`` is instant; import the module
you need. By chapter:

- foundation: :mod:`~course_utils.data` (offline corpora, checksummed splits, TFDS builders),
  :mod:`~course_utils.seed`, :mod:`~course_utils.checks` (exercise checks),
  :mod:`~course_utils.validate` (shared argument checks), :mod:`~course_utils.training`
  (the ``fit=`` protocol of the training helpers), :mod:`~course_utils.paths`
- 01-04: :mod:`~course_utils.rnn_numpy` (NumPy RNN and BPTT), :mod:`~course_utils.cells`
  (from-scratch Keras cells: SimpleRNN, LSTM, GRU), :mod:`~course_utils.charlm`,
  :mod:`~course_utils.sampling`, :mod:`~course_utils.lm_metrics`, :mod:`~course_utils.plots`,
  :mod:`~course_utils.tasks` (the long-lag task)
- 07: :mod:`~course_utils.seqtag` (tagger), :mod:`~course_utils.tagging` (tagging metrics)
- 08-09: :mod:`~course_utils.sentiment`, :mod:`~course_utils.timeseries`, :mod:`~course_utils.metrics`
- 10-12: :mod:`~course_utils.tokens`, :mod:`~course_utils.attention`, :mod:`~course_utils.seq2seq`,
  :mod:`~course_utils.decoding`, :mod:`~course_utils.translate`
"""

__version__ = "0.1.0"
