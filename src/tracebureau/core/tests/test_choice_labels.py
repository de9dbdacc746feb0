"""get_FOO_display through core.base.ChoiceLabels: Django's answer, in the active language."""

from __future__ import annotations

from django.utils import translation

from tracebureau.timeline.models import Event


def test_a_label_is_shown_in_the_language_of_the_request():
    event = Event(kind="captured", precision="month")
    with translation.override("en"):
        assert (event.get_kind_display(), event.get_precision_display()) == ("Captured", "Month")
    with translation.override("uk"):
        assert event.get_kind_display() == "Потрапив у полон"
    with translation.override("en"):  # the labels are kept lazy, not the first language asked
        assert event.get_kind_display() == "Captured"


def test_a_value_outside_the_choices_is_shown_as_it_is():
    assert Event(kind="no_such_kind").get_kind_display() == "no_such_kind"
    assert Event(kind=None).get_kind_display() is None
