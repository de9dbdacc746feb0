from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from tracebureau.timeline.models import BulkEvent, Event


def _csv(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "list.csv"
    path.write_text(text, encoding="utf-8")
    return path


def _args(scenario, path: Path, **extra: str) -> list[str]:
    options = {
        "--as": scenario.by.username,
        "--label": "Evacuated to Olenivka",
        "--kind": "evacuated",
        "--date": "2022-05-17",
        "--source": str(scenario.intel.pk),
        "--credibility": "2",
        "--place": str(scenario.olenivka.pk),
        **extra,
    }
    return [str(path), *[part for pair in options.items() for part in pair]]


def test_it_records_one_event_per_row(scenario, tmp_path, capsys):
    first, second = scenario.person("Перший", service_number="UA-1"), scenario.person("Другий")
    path = _csv(tmp_path, f"service_number\nUA-1\n#{second.pk}\n")
    call_command("bulk_event", *_args(scenario, path))
    assert "Recorded 2 events" in capsys.readouterr().out
    assert set(Event.objects.values_list("person", flat=True)) == {first.pk, second.pk}


def test_it_names_every_bad_line_and_writes_nothing(scenario, tmp_path):
    scenario.person("Перший", service_number="UA-1")
    path = _csv(tmp_path, "service_number\nUA-1\nUA-404\n\n")
    with pytest.raises(CommandError) as exc:
        call_command("bulk_event", *_args(scenario, path))
    assert "line 3 (UA-404): no such person." in str(exc.value)
    assert Event.objects.count() == 0 and BulkEvent.objects.count() == 0


def test_it_names_the_row_a_service_refuses(scenario, tmp_path):
    young = scenario.person("Молодий", birth_year=2023)
    path = _csv(tmp_path, f"person\n{young.pk}\n")
    with pytest.raises(CommandError) as exc:
        call_command("bulk_event", *_args(scenario, path))
    assert "row 1 (Молодий Дмитро" in str(exc.value) and "date of birth" in str(exc.value)
    assert Event.objects.count() == 0


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("name\nИванов\n", "the header needs a column"),
        ("person\n", "has no data rows"),
    ],
)
def test_it_explains_a_malformed_file(scenario, tmp_path, text, message):
    with pytest.raises(CommandError, match=message):
        call_command("bulk_event", *_args(scenario, _csv(tmp_path, text)))


def test_it_refuses_a_bad_date_and_an_unknown_account(scenario, tmp_path):
    path = _csv(tmp_path, "person\n1\n")
    with pytest.raises(CommandError, match="not a date"):
        call_command("bulk_event", *_args(scenario, path, **{"--date": "17.05.2022"}))
    with pytest.raises(CommandError, match="no active staff account"):
        call_command("bulk_event", *_args(scenario, path, **{"--as": "nobody"}))
