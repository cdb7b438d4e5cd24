"""The password hasher: Argon2 with parameters chosen for this platform's machines.

Django's own Argon2 parameters (100 MiB, 8 lanes) cost ~115-170 ms a hash on the two-core
server, so a cohort of 20 signing in at the same second queued for seconds. These follow the
first of OWASP's Argon2id configurations: 19 MiB, two passes, one lane, ~20 ms a hash here
(measured in docs/decisions/0011-sign-in-defences.md). The algorithm name stays ``argon2``:
the parameters are written into each hash, and a hash made with others is upgraded when its
owner next signs in.
"""

from django.contrib.auth.hashers import Argon2PasswordHasher

__all__ = ["ZhusanArgon2PasswordHasher"]


class ZhusanArgon2PasswordHasher(Argon2PasswordHasher):
    """Argon2id, 19 MiB of memory, two passes, one lane."""

    time_cost = 2
    memory_cost = 19 * 1024  # KiB
    parallelism = 1
