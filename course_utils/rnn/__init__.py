"""RNN basics (chapters 01-06): the recurrence written out, then the Keras cells and the
first models built on them.

- :mod:`~course_utils.rnn.numpy_rnn`: a vanilla RNN forward pass and BPTT in NumPy
- :mod:`~course_utils.rnn.cells`: from-scratch Keras cells (SimpleRNN, LSTM, GRU) with
  Keras's weight layout, and helpers that read the gates out of Keras layers
- :mod:`~course_utils.rnn.char_lm`: character-level language models (vocabulary, windows,
  model, held-out cross-entropy, a one-step stepper)
- :mod:`~course_utils.rnn.sampling`: temperature sampling and generation from a char LM
- :mod:`~course_utils.rnn.lm_metrics`: perplexity, bits per character, the n-gram baseline
- :mod:`~course_utils.rnn.recall_task`: the long-lag recall task and accuracy against lag

Nothing is imported here; import the module you need.
"""
