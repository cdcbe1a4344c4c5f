"""The manifest's identity in the Tiltfile header: a digest of the parsed document, not of its
text, so a comment or a reformatting does not change it (and cannot fail `render --check`) while
every changed value does. Import-light: `devenv sdk guard/stamp` compute it on their fast path."""

from __future__ import annotations

import hashlib
import json


def document_sha256(data: object) -> str:
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=repr)
    return hashlib.sha256(canonical.encode()).hexdigest()
