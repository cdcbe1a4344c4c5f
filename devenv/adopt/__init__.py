"""Adoption: `devenv import` (a hand-written Tiltfile -> services.yaml, proven by a round trip
through the real Tilt) and `devenv init` (a repository without a Tiltfile -> a commented manifest).

Layering: commands -> adopt -> render/manifest/sdk readers. Nothing here imports the CLI.
"""
