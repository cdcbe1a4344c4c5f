"""What import tells the user: each finding with the Tiltfile line it comes from."""

from __future__ import annotations

from dataclasses import dataclass, field

# lost: the manifest cannot say it (kept in the report, and the round trip shows the loss)
# secret: a credential was seen and replaced by a reference
# guess: a value import chose without the Tiltfile saying it (marked in the manifest)
# changed: devenv does it its own way (the health gate runs doctor)
KINDS = ("lost", "secret", "guess", "changed")


@dataclass(frozen=True)
class Note:
    kind: str
    where: str
    message: str


@dataclass
class Notes:
    items: list[Note] = field(default_factory=list)
    guesses: dict[tuple, str] = field(default_factory=dict)  # manifest key path -> why

    def add(self, kind: str, where: str, message: str) -> None:
        note = Note(kind, where, message)
        if note not in self.items:
            self.items.append(note)

    def guess(self, path: tuple, why: str, where: str = "") -> None:
        self.guesses[path] = why
        if where:
            self.add("guess", where, f"{'.'.join(map(str, path))}: {why}")

    def of(self, kind: str) -> list[Note]:
        return [n for n in self.items if n.kind == kind]
