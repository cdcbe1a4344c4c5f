"""Keep secrets out of the imported manifest.

`tilt alpha tiltfile-result` evaluates the Tiltfile, so every `os.getenv('NPM_TOKEN')` arrives
in its JSON as the token itself. Import never lets a real secret reach Tilt: each environment
variable whose name says it is a credential is replaced by a unique canary before Tilt runs.
A canary found in the result proves where the secret flows (a build arg, a command, an env
entry), and import writes a reference to the variable (`{env: NPM_TOKEN}`, `$NPM_TOKEN`)
instead. Literal secrets written in the Tiltfile (a build arg named like a credential) and the
values of Kubernetes Secrets Tilt saw are never copied either. Before anything is written, the
text is checked for every canary and every real credential value of the environment.
"""

from __future__ import annotations

import re
import secrets as _random
from dataclasses import dataclass, field

SECRET_NAME = re.compile(r"(TOKEN|SECRET|PASSWORD|PASSWD|PASSPHRASE|API_?KEY|ACCESS_KEY|PRIVATE_KEY|AUTH(?!OR)|CREDENTIAL|_PAT$|^PAT$)", re.I)
_MIN_SECRET = 4  # shorter values ("1", "yes") would match everywhere


def looks_secret(name: str) -> bool:
    return bool(SECRET_NAME.search(name))


@dataclass
class SecretGuard:
    environ: dict[str, str]
    env: dict[str, str] = field(init=False)  # what Tilt runs with: canaries instead of secrets
    canaries: dict[str, str] = field(default_factory=dict)  # canary -> variable name
    literals: dict[str, str] = field(default_factory=dict)  # literal secret value -> variable name
    extra: list[str] = field(default_factory=list)  # Kubernetes Secret values Tilt reported
    seen: list[tuple[str, str]] = field(default_factory=list)  # (where, message), reported to the user

    def __post_init__(self) -> None:
        self.env = dict(self.environ)
        for name in self.environ:
            if looks_secret(name):
                self.env[name] = self.canary(name)

    def canary(self, name: str) -> str:
        value = f"devenv-canary-{_random.token_hex(6)}-{name}"
        self.canaries[value] = name
        return value

    def variable_in(self, text: str) -> str | None:
        """The variable whose canary ``text`` is, exactly."""
        return self.canaries.get(text)

    def move_literal(self, value: str, name: str) -> None:
        """A secret written literally in the Tiltfile: the manifest reads ``name`` instead, and the
        round trip gives ``name`` a canary so both sides read the same reference."""
        if len(value) >= _MIN_SECRET:
            self.literals[value] = name
        self.env.setdefault(name, self.canary(name))

    def scrub(self, text: str) -> str:
        """``text`` with every canary and literal secret replaced by ``${NAME}``, and every
        Kubernetes Secret value by ``***``."""
        for canary, name in self.canaries.items():
            text = text.replace(canary, "${%s}" % name)
        for value, name in sorted(self.literals.items(), key=lambda kv: -len(kv[0])):
            text = text.replace(value, "${%s}" % name)
        for value in self.extra:
            if len(value) >= _MIN_SECRET:
                text = text.replace(value, "***")
        return text

    def leaks(self, text: str) -> list[str]:
        """Names of the secrets found in ``text``: none may be written."""
        found = [name for canary, name in self.canaries.items() if canary in text]
        found += [name for name, value in self.environ.items() if looks_secret(name) and len(value) >= _MIN_SECRET and value in text]
        found += [name for value, name in self.literals.items() if value in text]
        found += ["a Kubernetes Secret" for value in self.extra if len(value) >= _MIN_SECRET and value in text]
        return sorted(set(found))
