"""Reference models: trained longer than a notebook can afford, evaluated live in the chapters.

    python -m course_kit.reference translator       # train it, write weights/reference/translator.*
    python -m course_kit.reference --list            # what there is, with its stored figures
    python -m course_kit.reference --sealed          # the translators on the sealed test, once
    make reference                                   # every reference model

A chapter trains its own small model in minutes; that figure stays, with its own asserted
threshold. A reference model shows what the same code reaches with more data and time.
Each one is written to ``weights/reference/`` as

* ``<name>.weights.h5``: the weights, float16 arrays in the course's HDF5 format
  (:mod:`course_utils.references.store`: no pickle, no code; at most 5 MiB);
* ``<name>.json``: the sidecar: the exact settings (:mod:`.recipes`) and the model's config,
  the command, the data and split, the machine (CPU, cores, accelerator), the versions, the
  training seconds, the learning curve (validation loss against wall-clock seconds and
  training tokens) and the test figures of the *stored* weights.

Training lives here: :mod:`.recipes` (the settings), :mod:`.translators` and :mod:`.characters`
(training), :mod:`.registry` (what each name trains; store, retest), :mod:`.selection` (the
split each recipe choice was made on), :mod:`.sealed` (the translators' sealed test),
:mod:`.probes` (validation probes that re-derive recipe choices), :mod:`.copy_head` (the
pointer-generator that the ``copy-head`` probe judges; no released model has one) and
:mod:`.cli` (the command line). Reading is the learner library's: :mod:`course_utils.references` rebuilds a
model from its sidecar and weights on any CPU (``load``, ``label``, ``evaluate``, the curves);
``tests/test_reference.py`` evaluates every reference model and compares with its sidecar.
"""
