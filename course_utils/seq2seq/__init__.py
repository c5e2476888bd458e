"""Sequence to sequence (chapters 10-12): an encoder-decoder translator, attention and
beam search.

- :mod:`~course_utils.seq2seq.tokens`: tokenisers, vocabularies and the special tokens
  (the one source of their ids)
- :mod:`~course_utils.seq2seq.attention`: Bahdanau and Luong attention, masked softmax
- :mod:`~course_utils.seq2seq.layers`: the Encoder and Decoder layers, the masked loss
- :mod:`~course_utils.seq2seq.decoding`: greedy and beam-search decoding
- :mod:`~course_utils.seq2seq.translator`: the Translator model and train_translator
- :mod:`~course_utils.seq2seq.evaluation`: BLEU, chrF, exact match; attention heatmaps

Nothing is imported here; import the module you need.
"""
