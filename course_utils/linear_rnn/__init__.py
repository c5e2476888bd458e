"""Linear recurrences (chapter 14): RNNs whose gates read only the input, so that the whole
sequence can be computed by a parallel prefix scan instead of a step-by-step loop.

- :mod:`~course_utils.linear_rnn.scan`: ``h_t = a_t * h_{t-1} + b_t`` three ways: a
  sequential loop, ``keras.ops.associative_scan``, and the log-space form
- :mod:`~course_utils.linear_rnn.layers`: the ``MinGRU`` and ``MinLSTM`` Keras layers
  (Feng et al., 2024), computed with the scan
- :mod:`~course_utils.linear_rnn.linear_attention`: causal linear attention (Katharopoulos
  et al., 2020) in its parallel form and as a recurrence with a fixed-size state
- :mod:`~course_utils.linear_rnn.speed`: training seconds per epoch against sequence length,
  the scan's depth in rounds, and their plots

Nothing is imported here; import the module you need.
"""
