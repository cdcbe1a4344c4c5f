"""The JSON Schema of services.yaml, generated from the model."""

from __future__ import annotations

import functools
import json

from devenv.manifest.model import Manifest

SCHEMA_ID = "urn:devenv:services:v1"


def json_schema() -> dict:
    schema = Manifest.model_json_schema(by_alias=True)
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": SCHEMA_ID, **schema, "title": "devenv services.yaml"}


@functools.cache  # a pure function of the model: computed once per process (pydantic takes ~15 ms)
def json_schema_text() -> str:
    return json.dumps(json_schema(), indent=2, sort_keys=False) + "\n"
