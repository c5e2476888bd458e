"""course_utils: the learner library of the Recurrent course, grouped by topic.

Nothing is imported here, so ``import course_utils`` is instant; import the module you
need. The course's own tooling (runner, site, bench, lab, student notebooks, environment
check, key metrics, slow-machine weights) is the separate package :mod:`course_kit`,
which this library never imports. Module index:

- shared: :mod:`~course_utils.data` (offline corpora, checksummed splits, TFDS builders,
  ``without_autotune``), :mod:`~course_utils.seed`, :mod:`~course_utils.approx` (tolerant
  checks of trained figures), :mod:`~course_utils.validate` (argument checks),
  :mod:`~course_utils.training` (``fit_timed``, the ``fit=`` of the training helpers;
  ``build_before_fit``, ``compile_once``, ``stop_when_reached``, the per-epoch callbacks
  ``score_each_epoch`` and ``time_each_epoch``),
  :mod:`~course_utils.plots`, :mod:`~course_utils.metrics` (accuracy, MAE, the
  model -> metrics table), :mod:`~course_utils.paths`, :mod:`~course_utils.source_code` (``show_source``: library code
  printed inside a chapter), and :mod:`~course_utils.checks`
  (exercise checks: ``base`` and one module per chapter)
- RNN basics, 01-06 (:mod:`course_utils.rnn`): ``numpy_rnn`` (NumPy RNN and BPTT),
  ``cells`` (from-scratch Keras cells: SimpleRNN, LSTM, GRU), ``char_lm`` (character
  language models), ``sampling``, ``lm_metrics`` (perplexity, n-gram baseline),
  ``recall_task`` (the long-lag task)
- tagging, 07 (:mod:`course_utils.tagging`): ``tagger`` (the model), ``metrics``
- text classification, 08: :mod:`~course_utils.text_classification`
- time series, 09: :mod:`~course_utils.time_series`
- seq2seq, 10-12 (:mod:`course_utils.seq2seq`): ``tokens``, ``attention``, ``layers``
  (Encoder, Decoder, masked loss), ``decoding``, ``translator``, ``evaluation``
- RNN, CNN and Transformer, 13: :mod:`~course_utils.transformer` (NumPy scaled dot-product
  attention, causal mask, sinusoidal positions, multi-head attention from Keras weights,
  KV-cache and GRU one-token steps and their cost; ``TransformerBlock``,
  ``build_transformer_classifier``, ``build_transformer_lm``) and
  :mod:`~course_utils.convolution` (``receptive_field``, causal dilated ``Conv1D`` builders)
- recurrent revival, 14 (:mod:`course_utils.linear_rnn`): ``scan`` (h_t = a_t h_{t-1} + b_t
  by loop, associative scan and log space), ``layers`` (MinGRU, MinLSTM),
  ``linear_attention`` (parallel and recurrent forms), ``speed`` (seconds per epoch
  against length, scan depth)

The conventions every module follows (what builders, plots and tables return, what id 0
means, where special token ids come from) are in ``docs/AUTHORING.md``.
"""

__version__ = "0.1.0"
