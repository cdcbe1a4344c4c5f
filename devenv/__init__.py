"""devenv: one manifest in, a correct Tiltfile out."""

__version__ = "0.1.0"
