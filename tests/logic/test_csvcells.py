import pytest

from db.logic.csvcells import neutralise


@pytest.mark.parametrize("cell", ["=1+1", "+49 30", "-2", "@SUM(A1)", "\tx", "\rx"])
def test_formula_starts_are_neutralised(cell):
    assert neutralise(cell) == "'" + cell


@pytest.mark.parametrize("cell", ["Hamas", "", "1", 5, None, "a=b"])
def test_other_cells_pass(cell):
    assert neutralise(cell) == cell
