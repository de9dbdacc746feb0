"""The policy's own rules, beyond the access matrix: fail closed, combine roles, land users."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from tracebureau.core import policy
from tracebureau.core.models import User
from tracebureau.core.policy import Can
from tracebureau.registry.models import Person
from tracebureau.timeline.models import Place


def test_a_model_without_a_rule_is_seen_by_nobody(analyst: User) -> None:
    from django.contrib.contenttypes.models import ContentType

    assert not policy.visible_to(ContentType.objects.all(), analyst).exists()


def test_an_unknown_action_sees_nothing(scenario: Any, analyst: User) -> None:
    scenario.person()
    assert not policy.visible_to(Person.objects.all(), analyst, "delete").exists()


def test_an_inactive_account_has_no_capability(outsider: User) -> None:
    assert policy.capabilities(outsider) == frozenset()


def test_roles_add_up(db: Any) -> None:
    user = User(username="both", roles=["auditor", "press_officer"], clearance="open")
    assert {Can.READ_AUDIT, Can.SEE_RELEASED_STATISTICS} <= policy.access_of(user).can
    assert not policy.can(user, Can.SEE_INDIVIDUALS)


def test_an_agency_liaison_without_an_agency_sees_no_one(scenario: Any) -> None:
    scenario.person()
    liaison = User.objects.create_user(
        "adrift", password=None, roles=["agency_liaison"], clearance="restricted"
    )
    assert not policy.visible_to(Person.objects.all(), liaison).exists()


def test_an_agency_liaison_must_name_an_agency() -> None:
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="agency"):
        User(username="x", roles=["agency_liaison"]).clean()


def test_roles_are_validated(db: Any) -> None:
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        User(username="x", password="x", roles=["general"]).full_clean()


def test_no_one_classifies_a_record_above_their_clearance(scenario: Any, case_officer: User) -> None:
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="clearance"):
        scenario.person(classification="negotiation_sensitive")


def test_reference_data_is_changed_by_its_keepers_only(scenario: Any, analyst: User) -> None:
    from django.core.exceptions import PermissionDenied

    from tracebureau.timeline.services import place_update

    with pytest.raises(PermissionDenied):
        place_update(place=scenario.olenivka, changes={"name": "Olenivka"}, by=analyst)
    assert Place.objects.get(pk=scenario.olenivka.pk).name == "Olenivka colony"


@pytest.mark.parametrize(
    ("roles", "landing"),
    [
        (["case_officer"], "/persons/"), (["press_officer"], "/press/"), (["head_of_press"], "/press/"),
        (["administrator"], "/admin/"),
        (["family_liaison"], "/families/"), (["case_officer", "family_liaison"], "/persons/"),
    ],
)
def test_each_user_lands_on_the_first_page_their_roles_open(db: Any, roles: list[str], landing: str) -> None:
    client = Client()
    client.force_login(User.objects.create_user("u", password=None, roles=roles, is_staff=True))
    assert client.get("/").url == landing


def test_an_account_without_roles_is_told_so(db: Any) -> None:
    client = Client()
    client.force_login(User.objects.create_user("new", password=None))
    response = client.get("/")
    assert response.status_code == 403 and "no role" in response.content.decode()


def test_the_cli_export_writes_a_file_and_names_a_bad_account(scenario: Any, tmp_path: Path) -> None:
    scenario.person("=cmd|' /C calc'!A0")
    out = tmp_path / "persons.csv"
    call_command("export", "persons", "--as", "navy.officer", "--output", str(out))
    text = out.read_text(encoding="utf-8")
    assert "'=cmd" in text and text.count("\n") == 2
    with pytest.raises(CommandError, match="no active staff account"):
        call_command("export", "persons", "--as", "nobody")


def test_the_admin_edits_roles_with_checkboxes(admin_user: User, case_officer: User) -> None:
    client = Client()
    client.force_login(admin_user)
    page = client.get(f"/admin/core/user/{case_officer.pk}/change/")
    assert page.status_code == 200 and 'value="case_officer" ' in page.content.decode()
