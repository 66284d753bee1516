"""Fixtures of the plan draft tests: the hand-counted Testamt, drafted once."""
from __future__ import annotations

import pytest
from draft_helpers import draft_of, make_testamt


@pytest.fixture(scope="session")
def testamt_doc(tmp_path_factory):
    return draft_of(make_testamt(), tmp_path_factory.mktemp("testamt") / "entwurf.docx")
