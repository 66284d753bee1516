"""Plan duty (§ 4 Abs. 1 Satz 1) and approval routing by body type (§ 4 Abs. 1 Satz 6, SPEC § 2)."""
from __future__ import annotations

import pytest

from xl_gleichplan.errors import ProfileError
from xl_gleichplan.profiles import load_profile
from xl_gleichplan.rules.routing import approval, plan_required

TH = load_profile("thueringen")
BUND = load_profile("bund")


@pytest.mark.parametrize("heads, required", [(0, False), (1, False), (49, False), (50, True), (51, True), (5000, True)])
def test_plan_duty_from_50_heads(heads, required):
    # "at least 50 Bedienstete": 49 no, 50 yes, 51 yes
    assert plan_required(heads, TH) is required


def test_bund_has_no_minimum_size():
    assert plan_required(0, BUND) is True
    assert plan_required(49, BUND) is True


# SPEC § 2 table: type -> (procedure, a word the body must name); § 4 Abs. 6: who acts on leadership
# appointments and how (Genehmigung, Benehmen, or the body's own decision: issue 13, E5)
@pytest.mark.parametrize("kind, procedure, body_word, approver_word, lead_procedure", [
    ("landesverwaltung", "genehmigung", "nächsthöhere Dienststelle", "nächsthöhere Dienststelle", "genehmigung"),
    ("ministerium", "benehmen", "Beauftragte für die Gleichstellung", "Leitung der obersten Landesbehörde",
     "entscheidung"),
    # E1: Abs. 6 Satz 3 "entscheidet das vertretungsberechtigte Organ" - ThürKO § 31 Abs. 1: "Der
    # Bürgermeister vertritt die Gemeinde nach außen"; the councils only take note of the plan (Abs. 1)
    ("gemeinde", "kenntnisnahme", "Gemeinderat", "Bürgermeister", "entscheidung"),
    ("landkreis", "kenntnisnahme", "Kreistag", "Landrat", "entscheidung"),
    ("verwaltungsgemeinschaft", "kenntnisnahme", "Gemeinschaftsversammlung", "Gemeinschaftsvorsitzende",
     "entscheidung"),
    ("koerperschaft", "benehmen", "Rechtsaufsicht", "Rechtsaufsicht", "benehmen"),
    ("landesmedienanstalt", "benehmen", "Versammlung", "Versammlung", "benehmen"),
])
def test_routing_for_every_listed_body_type(kind, procedure, body_word, approver_word, lead_procedure):
    route = approval(kind, TH)
    assert route.type == kind
    assert route.procedure == procedure
    assert body_word in route.body
    # § 4 Abs. 6: who decides on leadership appointments while the 50 % rule applies
    assert approver_word in route.leadership_approver
    assert route.leadership_procedure == lead_procedure
    assert route.note is None  # listed types carry no note
    assert route.source  # every route says where it comes from


@pytest.mark.parametrize("kind", ["gemeinde", "landkreis", "verwaltungsgemeinschaft"])
def test_e1_councils_are_not_the_representative_body(kind):
    """E1: before the fix the profile named Gemeinderat, Kreistag, Gemeinschaftsversammlung "als
    Vertretungsorgan" for § 4 Abs. 6; they appear in Abs. 1 Satz 6 Nr. 3/4 (Kenntnisnahme) only."""
    route = approval(kind, TH)
    assert not any(word in route.leadership_approver for word in ("Gemeinderat", "Kreistag", "Gemeinschaftsversammlung"))
    assert "vertretungsberechtigt" in route.leadership_approver
    assert "ThürKO" in route.source


@pytest.mark.parametrize("kind", ["landtag", "rechnungshof", "Landtag", " RECHNUNGSHOF "])
def test_landtag_and_rechnungshof_are_treated_as_supreme_authority_with_a_visible_note(kind):
    route = approval(kind, TH)
    assert route.type == "oberste_landesbehoerde"
    # E6: § 4 Abs. 1 Satz 6 Nr. 2 covers only the Ministerien and the Staatskanzlei; before the fix
    # Landtag and Rechnungshof were routed "im Benehmen" with the Landesbeauftragte
    assert route.procedure == "keine"
    assert "Beauftragte" not in route.body
    # the note says why (they are not listed in § 4 Abs. 1)
    assert route.note and "Landtag" in route.note and "Rechnungshof" in route.note
    # at a supreme authority its head decides (SPEC § 6)
    assert "Leitung" in route.leadership_approver


@pytest.mark.parametrize("alias, code", [("staatskanzlei", "ministerium"), ("kreis", "landkreis"),
                                         ("vg", "verwaltungsgemeinschaft"), ("Gemeinde", "gemeinde")])
def test_aliases_and_case(alias, code):
    assert approval(alias, TH).type == code


@pytest.mark.parametrize("kind", ["bundesamt", "", "landes verwaltung", "xyz"])
def test_unknown_body_type_is_a_german_profile_error(kind):
    with pytest.raises(ProfileError) as info:
        approval(kind, TH)
    message = str(info.value)
    assert "Art der Dienststelle" in message and "nicht vorgesehen" in message
    # it lists what is allowed: the German labels of the template's drop-down (review: it listed only
    # the codes), each with the code that --agency-type takes
    assert "„Behörde der Landesverwaltung“ (landesverwaltung)" in message and "„Gemeinde“ (gemeinde)" in message
    assert "„Ministerium oder Staatskanzlei“ (ministerium)" in message


def test_bund_routing():
    assert approval("bundesbehoerde", BUND).procedure == "erlass"
    # the Thuringia codes map onto the federal ones
    assert approval("landesverwaltung", BUND).type == "bundesbehoerde"
    assert approval("ministerium", BUND).type == "oberste_bundesbehoerde"
    with pytest.raises(ProfileError):
        approval("gemeinde", BUND)
