"""Small shared helpers: subprocesses with deadlines, credential redaction."""
