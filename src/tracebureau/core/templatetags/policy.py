"""Template filters for what the policy withheld from the reader."""

from __future__ import annotations

from typing import Any

from django import template

from tracebureau.core import policy

register = template.Library()


@register.filter
def withheld(instance: Any, name: str) -> bool:
    """{% if person|withheld:"unit" %}: the field was masked for this reader, not empty."""
    return policy.withheld(instance, name)
