"""Subword units (SentencePiece) in the translator, and the name-copy tools."""

from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from course_utils.seq2seq.names import NAME_PATTERNS, name_copy_rate, names_in_both, substitute_names
from course_utils.seq2seq.subwords import WORD_START, Subwords, train_subwords

TEXTS = ["I am here.", "Ich bin hier.", "My name is Anna.", "Ich heiße Anna.", "Where is the station?",
         "Wo ist der Bahnhof?", "You are tired.", "Du bist müde."] * 20
PAIRS = [("I am here.", "Ich bin hier."), ("You are here.", "Du bist hier."), ("I am tired.", "Ich bin müde."),
         ("My name is Anna.", "Ich heiße Anna."), ("Where is the station?", "Wo ist der Bahnhof?")]


@pytest.fixture(scope="module")
def subwords() -> Subwords:
    return Subwords(train_subwords(TEXTS, vocab_size=60))


def test_training_is_deterministic_and_the_model_round_trips_as_text(subwords: Subwords) -> None:
    assert train_subwords(TEXTS, vocab_size=60) == subwords.model  # same texts, same seed: same bytes
    again = Subwords(subwords.to_text())
    assert again.model == subwords.model and again.pieces() == subwords.pieces() and len(again) == len(subwords)


def test_an_unseen_name_is_spelt_in_known_pieces(subwords: Subwords) -> None:
    pieces = subwords.tokenize("Ich heiße Bernd.")
    assert subwords.detokenize(pieces) == "Ich heiße Bernd."
    known = set(subwords.pieces())
    # every piece of the name is in the model (characters of the training text), none is <unk>
    assert all(p in known for p in pieces if p != "<unk>") and pieces[0].startswith(WORD_START)
    assert subwords.detokenize(["▁Ich", "[UNK]", "."]) == "Ich [UNK]."  # specials stay words


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(["Ich", "bin", "hier", "Anna", "müde", "Wo", "ist", "der", "Bahnhof", "du"]),
                min_size=1, max_size=8))
def test_detokenize_inverts_tokenize_on_known_characters(subwords: Subwords, words: list[str]) -> None:
    text = " ".join(words) + "."
    assert subwords.detokenize(subwords.tokenize(text)) == text


def test_bad_inputs_name_the_fix(subwords: Subwords) -> None:
    with pytest.raises(TypeError, match="list of sentences"):
        train_subwords("Ich bin hier.")
    with pytest.raises(ValueError, match="non-blank"):
        train_subwords(["", "  "])
    with pytest.raises(ValueError, match="vocab_size"):
        train_subwords(TEXTS, vocab_size=3)
    with pytest.raises(ValueError, match="not base64"):
        Subwords("not base64 at all!")
    with pytest.raises(ValueError, match="not a SentencePiece model"):
        Subwords(b"\x00\x01garbage")
    with pytest.raises(TypeError, match="one string"):
        subwords.tokenize(["Ich"])
    with pytest.raises(TypeError, match="list of pieces"):
        subwords.detokenize("Ich")


def test_translator_with_subwords_saves_as_one_keras_file_without_pickle(tmp_path: Path) -> None:
    from course_utils.seed import set_seed
    from course_utils.seq2seq.evaluation import unknown_rate
    from course_utils.seq2seq.translator import Translator

    set_seed(0)
    model = Translator.from_pairs(PAIRS, attention="luong", embed_dim=8, units=16, max_source_len=20, max_target_len=20,
                                  source_tokenizer="subwords", target_tokenizer="subwords", lowercase_source=False,
                                  subword_vocab_size=40)
    assert model.source_tokens(["My name is Bernd."])[0][-1] == "."
    assert unknown_rate(model, ["My name is Bernd."]) == 0.0  # a word model would give "bernd" [UNK]
    path = model.save_translator(tmp_path / "sub.keras")
    with zipfile.ZipFile(path) as archive:
        assert not [n for n in archive.namelist() if n.endswith((".pkl", ".pickle"))]
        assert model.subword_model in archive.read("config.json").decode()  # the subword model travels inside
    loaded = Translator.load_translator(path)
    sentences = [en for en, _ in PAIRS] + ["My name is Bernd."]
    assert loaded.translate(sentences) == model.translate(sentences)
    assert loaded.tokenizers()[1][0]("Ich heiße Bernd.") == model.tokenizers()[1][0]("Ich heiße Bernd.")


def test_translator_subword_settings_are_checked() -> None:
    from course_utils.seq2seq.translator import Translator

    with pytest.raises(ValueError, match="lowercase_source=False"):
        Translator.from_pairs(PAIRS, source_tokenizer="subwords", target_tokenizer="subwords")
    with pytest.raises(ValueError, match="neither tokenizer is 'subwords'"):
        Translator.from_pairs(PAIRS, subword_model=Subwords(train_subwords(TEXTS, 60)).to_text())
    with pytest.raises(ValueError, match="needs a subword model"):
        Translator(["", "[UNK]", "[START]", "[END]"], ["", "[UNK]", "[START]", "[END]"], source_tokenizer="subwords")


def test_names_in_both_and_substitution() -> None:
    pairs = [("I am Anna.", "Ich bin Anna."), ("In the house.", "In dem Haus."), ("Anna and Tom.", "Anna und Tom."),
             ("The house is in Bonn.", "Das Haus ist in Bonn.")]
    # "In" is on both sides and in the list, but "in" also occurs in lower case: a common word
    assert names_in_both(pairs, {"anna", "tom", "in"}) == [(0, "Anna"), (2, "Anna"), (2, "Tom")]
    # "April" is a first name, but in a date it is a month on both sides: never replaced
    born = [("I was born on the fifteenth of April.", "Ich bin am fünfzehnten April geboren.")]
    assert names_in_both(born, {"april", "may"}) == [] and names_in_both(pairs + born, {"april"}) == []
    new = substitute_names(pairs, {"anna"}, ["Lena", "Ida", "Eva"], copies=2, seed=0)
    assert len(new) == 4 and all(("Anna" not in en and "Anna" not in de) for en, de in new)
    assert all(en.split()[-1].rstrip(".") == de.split()[-1].rstrip(".") for en, de in new[:2])  # same name on both sides
    assert substitute_names(pairs, {"anna"}, ["Lena", "Ida", "Eva"], copies=2, seed=0) == new  # seeded
    with pytest.raises(ValueError, match="needs at least that many"):
        substitute_names(pairs, {"anna"}, ["Lena"], copies=2)
    with pytest.raises(ValueError, match="one word of letters"):
        substitute_names(pairs, {"anna"}, ["Lena Maria"], copies=1)


def test_name_copy_rate_scores_each_pattern_and_name() -> None:
    class Echo:  # "translates" by keeping the name and nothing else: copies every name, never exact
        def translate(self, texts, **kwargs):
            return [t.split()[-1].strip(".?") if t.startswith(("My", "Where")) else t.split()[0] for t in texts]

    frame = name_copy_rate(Echo(), ["Lena", "Ida"])
    assert len(frame) == 2 * len(NAME_PATTERNS) and frame["copied"].all() and not frame["exact"].any()
    assert list(frame.columns) == ["pattern", "name", "source", "output", "reference", "copied", "exact"]
    with pytest.raises(ValueError, match="'{name}'"):
        name_copy_rate(Echo(), ["Lena"], patterns=[("My name is Lena.", "Ich heiße Lena.")])
    assert np.isclose(name_copy_rate(Echo(), ["Lena"], patterns=[("Hi {name}", "Hallo {name}")])["copied"].mean(), 0.0)


def test_vocatives_put_the_same_name_on_both_sides() -> None:
    from course_utils.seq2seq.names import add_vocatives

    pairs = [("Where is the station?", "Wo ist der Bahnhof?"), ("I am tired.", "Ich bin müde."),
             ("ich and where in lower case.", "ich und wo klein."), ("No end", "Kein Ende")]
    new = add_vocatives(pairs, ["Lena", "Ida"], n=8, seed=0)
    assert len(new) == 8 and add_vocatives(pairs, ["Lena", "Ida"], n=8, seed=0) == new
    for k, (en, de) in enumerate(new):
        name = en.split(",")[0] if k % 2 else en.rstrip(".?!").split(", ")[-1]
        assert name in ("Lena", "Ida") and name in de and en[-1] == de[-1]
        assert "No end" not in en  # a pair without final punctuation is never used
    starts = [pair for k, pair in enumerate(new) if k % 2]
    assert all(en.split(", ", 1)[1][0] in "wI" for en, _ in starts)  # "where" lower-cased, "I" kept
    assert all(de.split(", ", 1)[1][0] in "wi" for _, de in starts)  # "wo", "ich": the corpus has them in lower case
    with pytest.raises(ValueError, match="nowhere to put a name"):
        add_vocatives([("No end", "Kein Ende")], ["Lena"], n=1)


class _Dictionary:
    """A toy translator: word by word from a small dictionary; a word it does not know becomes
    "Xyz" (as a model garbles a name it never read), and a known name is copied."""

    WORDS = {"where": "wo", "is": "ist", "my": "mein", "friend": "Freund", "and": "und", "anna": "Anna", "tom": "Tom",
             "lisa": "Lisa"}

    def translate(self, texts, **kwargs):
        import re

        def word(match):
            w = self.WORDS.get(match.group().lower(), "Xyz")
            return w.capitalize() if match.start() == 0 else w
        return [re.sub(r"\w+", word, t) for t in texts]


def test_pass_through_copies_unseen_names_and_leaves_known_words_to_the_model() -> None:
    from course_utils.seq2seq.names import PassThroughNames, source_words

    known = source_words([("Where is Anna?", "Wo ist Anna?"), ("Tom and Lisa are my friend", "..")])
    assert known == {"where", "is", "anna", "tom", "and", "lisa", "are", "my", "friend"}
    model = PassThroughNames(_Dictionary(), known)
    assert _Dictionary().translate(["Where is Barrett?"]) == ["Wo ist Xyz?"]  # the model alone garbles the name
    assert model.translate(["Where is Barrett?", "Barrett and Tom and Ida", "where is anna", ""]) == \
        ["Wo ist Barrett?", "Barrett und Tom und Ida", "Wo ist Anna", ""]
    # "Tom" is in the sentence, so "Barrett" gets "Anna" and "Ida" gets "Lisa"; a word seen in
    # lower case ("Where") or an unseen word in lower case ("barrett") is not touched
    assert model.mask("Barrett and Tom and Ida and barrett") == ("Anna and Tom and Lisa and barrett",
                                                                 {"Anna": "Barrett", "Lisa": "Ida"})
    assert model.mask("A B C D E") == ("Anna Tom Lisa D E", {"Anna": "A", "Tom": "B", "Lisa": "C"})  # placeholders ran out
    assert PassThroughNames.unmask("Annas Buch; Annabell", {"Anna": "Ida"}) == "Idas Buch; Annabell"  # genitive, whole words
    assert name_copy_rate(model, ["Barrett", "Ida"])["copied"].all()
    assert not name_copy_rate(_Dictionary(), ["Barrett", "Ida"])["copied"].any()


def test_pass_through_names_the_fix_for_bad_settings() -> None:
    from course_utils.seq2seq.names import PassThroughNames

    with pytest.raises(ValueError, match="never occur in the training sources"):
        PassThroughNames(_Dictionary(), {"where", "is"})
    with pytest.raises(ValueError, match="source_words"):
        PassThroughNames(_Dictionary(), set())
    with pytest.raises(TypeError, match="not one string"):
        PassThroughNames(_Dictionary(), "anna tom lisa")
    with pytest.raises(TypeError, match="translate"):
        PassThroughNames(object(), {"anna", "tom", "lisa"})
    with pytest.raises(TypeError, match="list of strings"):
        PassThroughNames(_Dictionary(), {"anna", "tom", "lisa"}).translate("Where is Anna?")


@given(st.lists(st.one_of(st.sampled_from(["where", "Where", "is", "and", "Tom", "my", "Anna", "Lisas"]),
                          st.from_regex(r"[A-Z][a-zäöü]{1,8}", fullmatch=True)), min_size=1, max_size=8))
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_pass_through_round_trips_through_a_model_that_copies(words: list[str]) -> None:
    from course_utils.seq2seq.names import PassThroughNames

    class Copier:  # a model that copies its input: the wrapper must give the sentence back unchanged
        def translate(self, texts, **kwargs):
            return list(texts)

    wrapper = PassThroughNames(Copier(), {"where", "is", "and", "tom", "my", "anna", "lisa"})
    text = " ".join(words) + "."
    masked, mapping = wrapper.mask(text)
    assert wrapper.translate([text]) == [text]
    assert len(mapping) <= len(wrapper.placeholders) and set(mapping) <= set(wrapper.placeholders)
    assert all(wrapper.unseen(w) for w in mapping.values())
    pairs = list(zip(text.split(), masked.split()))  # one placeholder per word, so the words align
    assert len(pairs) == len(words) and all(new == old for old, new in pairs if not wrapper.unseen(old.strip(".")))
