"""Sequence to sequence (chapters 10-12): an encoder-decoder translator, attention and
beam search.

- :mod:`~course_utils.seq2seq.tokens`: tokenisers, vocabularies and the special tokens
  (the one source of their ids)
- :mod:`~course_utils.seq2seq.subwords`: SentencePiece subword units, trained on the training split
- :mod:`~course_utils.seq2seq.names`: name substitution in training pairs, the name-copy test, and
  passing unseen names through a trained translator
- :mod:`~course_utils.seq2seq.attention`: Bahdanau and Luong attention, masked softmax
- :mod:`~course_utils.seq2seq.layers`: the Encoder and Decoder layers, the masked loss
- :mod:`~course_utils.seq2seq.decoding`: greedy and beam-search decoding, both compiled, and the
  step-by-step beam-search reference
- :mod:`~course_utils.seq2seq.translator`: the Translator model and train_translator
- :mod:`~course_utils.seq2seq.evaluation`: BLEU, chrF, exact match, paired bootstrap, the unknown-token
  rate; attention heatmaps

Nothing is imported here; import the module you need.
"""
