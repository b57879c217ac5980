"""The OpenAPI schema documents ``delivery`` of ``GET /api/challenge/`` (issue 13): its
fields and states, with examples of a code sent, delivered, not delivered and called."""

from __future__ import annotations

from typing import Any

from .test_schema import openapi  # noqa: F401  (the generated schema, a fixture)


def test_get_challenge_documents_the_delivery_object(openapi: dict[str, Any]) -> None:  # noqa: F811
    schemas = openapi["components"]["schemas"]
    state = schemas["LoginState"]["properties"]["delivery"]
    ref = state.get("$ref") or next(
        item["$ref"] for item in state.get("allOf", state.get("oneOf", [])) if "$ref" in item
    )
    delivery = schemas[ref.rsplit("/", 1)[1]]
    assert set(delivery["properties"]) == {
        "state",
        "channel",
        "updated_at",
        "suggest_call",
        "voice_fallback",
    }
    state_field = delivery["properties"]["state"]
    enum_ref = state_field.get("$ref") or state_field["allOf"][0]["$ref"]
    assert set(schemas[enum_ref.rsplit("/", 1)[1]]["enum"]) == {"sent", "delivered", "failed"}
    assert state["nullable"] is True
    answer = openapi["paths"]["/api/challenge/"]["get"]["responses"]["200"]
    examples = answer["content"]["application/json"]["examples"]
    shown = {
        example["value"]["delivery"]["state"]
        for example in examples.values()
        if example["value"].get("delivery")
    }
    assert shown == {"sent", "delivered", "failed"}
    assert any(
        (example["value"].get("delivery") or {}).get("voice_fallback")
        for example in examples.values()
    )
