"""The bundled question bank holds the seed's 50 questions, faithfully, with a full rubric each."""

import re
from pathlib import Path

import pytest

from tests.seed import CATEGORIES, seed_questions
from viva.bank import Bank, load_bank
from viva.errors import UnknownQuestionError
from viva.resources import resource_dir

SEED = seed_questions()

FRESHER_TOPICS = {1, 2, 3, 4, 6, 7, 8, 21, 22, 23, 24}
"""Questions on the seed's list "For freshers" (definition of ML, supervised vs unsupervised, ...)."""
EXPERIENCED_TOPICS = {15, 19, 30, 39, 40, 45, 47, 49}
"""Questions on the seed's list "For experienced professionals" (kernel trick, ensembles, drift, ...)."""


@pytest.fixture(scope="module")
def bank() -> Bank:
    return load_bank(resource_dir("rubrics"))


def test_seed_parses_into_fifty_questions() -> None:
    assert sorted(SEED) == list(range(1, 51))


def test_bank_has_exactly_the_seeds_fifty_questions_in_its_wording(bank: Bank) -> None:
    assert [q.number for q in bank] == list(range(1, 51))
    for q in bank:
        assert q.question == SEED[q.number].question, f"Q{q.number}"


def test_model_answers_and_why_asked_notes_are_the_seeds(bank: Bank) -> None:
    for q in bank:
        assert q.model_answer == SEED[q.number].answer, f"Q{q.number} model_answer"
        assert q.why_asked == SEED[q.number].why_asked, f"Q{q.number} why_asked"


def test_questions_sit_in_the_seeds_five_categories(bank: Bank) -> None:
    assert bank.categories == list(CATEGORIES)
    for q in bank:
        assert q.number in CATEGORIES[q.category], f"Q{q.number} is in {q.category}"


def test_difficulty_follows_the_seeds_lists_for_freshers_and_experienced(bank: Bank) -> None:
    for q in bank:
        if q.number in FRESHER_TOPICS:
            assert q.difficulty == "fresher", f"Q{q.number}"
        if q.number in EXPERIENCED_TOPICS:
            assert q.difficulty == "experienced", f"Q{q.number}"


def test_every_question_has_three_to_seven_key_points_and_a_misconception(bank: Bank) -> None:
    for q in bank:
        assert 3 <= len(q.key_points) <= 7, f"Q{q.number} has {len(q.key_points)} key points"
        assert q.misconceptions, f"Q{q.number} has no misconception"


def test_every_key_point_has_a_follow_up_question(bank: Bank) -> None:
    for q in bank:
        for point in q.key_points:
            assert point.follow_up and "?" in point.follow_up, f"Q{q.number} {point.id}"


MUST = re.compile(r"(?:^|\. )Must\b|\b(?:you|answer) must\b", re.IGNORECASE)
"""What a strong answer must do: "You must ...", "Must mention ...", "The answer must ...".
Not a "must" describing the algorithm itself (Q18: "limitations: must specify k in advance")."""


def test_each_why_asked_must_is_a_required_key_point(bank: Bank) -> None:
    for q in bank:
        if MUST.search(q.why_asked or ""):
            from_note = [p.id for p in q.key_points if p.required and p.source == "why_asked"]
            assert from_note, f"Q{q.number}: its note says 'must' but no required key point comes from it"


def test_every_question_has_a_required_central_point(bank: Bank) -> None:
    for q in bank:
        assert any(p.required for p in q.key_points), f"Q{q.number}"


def test_key_points_are_single_sentences(bank: Bank) -> None:
    for q in bank:
        for point in q.key_points:
            assert point.text.endswith("."), f"Q{q.number} {point.id}"
            assert point.text.count(". ") == 0, f"Q{q.number} {point.id} states more than one sentence"


def test_misconceptions_explain_why_they_are_wrong(bank: Bank) -> None:
    for q in bank:
        for wrong in q.misconceptions:
            assert len(wrong.explanation.split()) >= 6, f"Q{q.number} {wrong.id}"


def test_delivery_hints_follow_the_thirty_second_rule(bank: Bank) -> None:
    for q in bank:
        hints = q.delivery
        assert hints.one_line and hints.example and hints.trade_off, f"Q{q.number}"


def test_the_classic_misconceptions_are_in_the_bank(bank: Bank) -> None:
    def wrongs(number: int) -> str:
        return " ".join(w.text.lower() for w in bank.get(number).misconceptions)

    assert re.search(r"bagging.*bias.*boosting.*variance", wrongs(40))
    assert "inference" in wrongs(38) or "test time" in wrongs(38)
    assert "accuracy" in wrongs(22)


def test_questions_are_found_by_number_by_id_and_by_number_as_text(bank: Bank) -> None:
    q7 = bank.get(7)
    assert bank.get(q7.id) is q7
    assert bank.get("7") is q7


@pytest.mark.parametrize("ref", ["²", "٣", "7²"])
def test_a_digit_that_is_no_ascii_number_is_an_unknown_question(bank: Bank, ref: str) -> None:
    """str.isdigit says "²" is a digit; int("²") raised, a 500 through the API."""
    with pytest.raises(UnknownQuestionError):
        bank.get(ref)


def test_rubric_version_is_stable_and_changes_when_the_rubric_does(bank_copy: Path) -> None:
    before = load_bank(bank_copy).get(7).rubric_version
    assert load_bank(bank_copy).get(7).rubric_version == before
    path = bank_copy / load_bank(bank_copy).get(7).source_file
    path.write_text(path.read_text(encoding="utf-8").replace("poor generalisation", "weak generalisation"))
    assert load_bank(bank_copy).get(7).rubric_version != before
    assert (
        load_bank(bank_copy).get(8).rubric_version == load_bank(resource_dir("rubrics")).get(8).rubric_version
    )


def test_the_exemplar_rubric_in_docs_is_the_banks_own_question_word_for_word(tmp_path: Path) -> None:
    # It says it is copied from the bank, and had drifted from it: a rubric writer copied stale fields.
    exemplar = Path(__file__).parents[1] / "docs" / "rubric-exemplar.yaml"
    (tmp_path / "fundamentals.yaml").write_text(exemplar.read_text(encoding="utf-8"), encoding="utf-8")
    (copied,) = load_bank(tmp_path).questions
    assert copied == load_bank(resource_dir("rubrics")).get(copied.id)
