"""The ``cluster`` doctor group, one small module per concern.

``kubeconfig`` finds, reads and merges kubeconfig files and picks the context (no network, no
kubernetes import); ``client`` builds the kubernetes client for that context and turns every
way a request can fail into a result with its own hint; ``blocking`` says which services a
failure blocks; the checks live in ``context``, ``api``, ``nodes``, ``namespace``, ``coredns``
and ``daemonsets``; :mod:`devenv.doctor.cluster.group` lists them as the group's ``CHECKS``.

Nothing here imports the kubernetes client at import time: ``devenv render`` never loads it.
"""
