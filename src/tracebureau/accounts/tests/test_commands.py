"""`tracebureau totp-code`: codes of the demo's devices only."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django_otp.plugins.otp_totp.models import TOTPDevice

from tracebureau.accounts.services import current_code, demo_device_create
from tracebureau.accounts.tests.conftest import user_with
from tracebureau.cli import main

pytestmark = pytest.mark.django_db


def test_it_prints_the_current_code_of_a_demo_device():
    device = demo_device_create(user=user_with("officer", "case_officer"))
    out = StringIO()
    call_command("totp_code", "officer", stdout=out)
    assert out.getvalue().strip() == current_code(device)
    assert len(current_code(device)) == 6


def test_it_refuses_a_real_accounts_device():
    TOTPDevice.objects.create(user=user_with("hq", "case_officer"), name="phone", confirmed=True)
    with pytest.raises(CommandError, match="demo's accounts only"):
        call_command("totp_code", "hq", stdout=StringIO())


def test_the_command_line_accepts_it_with_a_hyphen(capsys):
    with pytest.raises(SystemExit):
        main(["totp-code", "nobody"])
    assert "no demo authenticator" in capsys.readouterr().err
