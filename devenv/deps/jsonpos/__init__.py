"""JSON source positions, one home: :mod:`.members` for valid JSON read fast (the dependency
readers), :mod:`.tolerant` for any text, malformed or JSONC, with the key path of every string
(lint's rules and suppressions)."""
