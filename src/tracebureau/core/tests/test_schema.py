"""The OpenAPI schema is valid and its documentation page renders."""

from __future__ import annotations

import pytest
from openapi_spec_validator import validate
from rest_framework.test import APIClient


@pytest.fixture
def api(case_officer):
    client = APIClient()
    client.force_authenticate(case_officer)
    return client


def test_it_serves_a_valid_openapi_schema(api):
    response = api.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    schema = response.json()
    validate(schema)
    paths = schema["paths"]
    assert {"/api/persons/", "/api/events/bulk/", "/api/persons/{id}/merge/", "/api/places/"} <= set(paths)
    # Append-only and never-deleted resources offer no such methods.
    assert not {"put", "patch", "delete"} & set(paths["/api/events/{id}/"])
    assert not {"put", "delete"} & set(paths["/api/persons/{id}/"])


def test_it_documents_the_request_bodies_of_actions(api):
    schema = api.get("/api/schema/", {"format": "json"}).json()
    merge = schema["paths"]["/api/persons/{id}/merge/"]["post"]
    assert merge["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith("/MergeRequest")
    assert "201" in merge["responses"]
    bulk = schema["components"]["schemas"]["BulkEventCreateRequest"]
    assert {"label", "persons", "kind", "occurred_on"} <= set(bulk["required"])


def test_it_renders_the_api_documentation(api):
    response = api.get("/api/docs/")
    assert response.status_code == 200
    assert b"swagger" in response.content.lower()
