"""The notebook comparison rule: text exact, numbers equal to ±1 unit of their last printed digit."""

import pytest

from tests.numeric_compare import compare_text, skeleton


@pytest.mark.parametrize("ref,test", [
    ("… linéaire 1,57 (15 prévisions)", "… linéaire 1,56 (15 prévisions)"),
    ('<td class="data row0 col1" >52\u202f195</td>', '<td class="data row0 col1" >52\u202f194</td>'),
    ("9\u202f999 salariés", "10\u202f000 salariés"),
    ("p = 0,050", "p = 0,049"),
    ("\u22120,1 %", "\u22120,2 %"),
    ("IC 95 % : 50\u202f115 – 53\u202f725", "IC 95 % : 50\u202f116 – 53\u202f724"),
])
def test_one_unit_in_the_last_printed_digit_is_tolerated(ref, test):
    result = compare_text(ref, test)
    assert result.equal and result.tolerated


@pytest.mark.parametrize("ref,test,why", [
    ("… linéaire 1,57 (15 prévisions)", "… linéaire 1,55 (15 prévisions)", "more than one unit"),
    ("52\u202f195", "52\u202f197", "more than one unit"),
    ("1,5 %", "1,50 %", "different precision"),
    ("42 000 emplois", "42 000 salariés", "text or structure"),
    ("valeurs : 1 ; 2", "valeurs : 1 ; 2 ; 3", "text or structure"),
    ("<td>1,5</td>", "<th>1,5</th>", "text or structure"),
    ("2 %", "\u22122 %", "more than one unit"),
])
def test_anything_larger_or_any_text_change_fails(ref, test, why):
    result = compare_text(ref, test)
    assert not result.equal and why in result.reason


def test_numbers_inside_words_are_text_and_french_grouping_is_one_number():
    skel, nums = skeleton('id="T_t02_row0_col1" : 1\u202f234\u202f567,89 en 2013-2022, T3')
    assert [n.text for n in nums] == ["1\u202f234\u202f567,89", "2013", "2022"]
    assert "row0" in skel and "T3" in skel
    assert float(nums[0].value) == 1234567.89 and nums[0].decimals == 2


def test_identical_texts_are_equal_without_tolerance():
    assert compare_text("x 1,0", "x 1,0").tolerated == []
