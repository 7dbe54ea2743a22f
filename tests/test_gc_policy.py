"""The garbage-collection policy: survivors of a full collection are frozen; every n-th starts from all."""

from __future__ import annotations

import gc

from trainforge.gc_policy import FreezeSurvivors


def test_survivors_of_full_collections_are_frozen_and_every_nth_collection_sees_all():
    policy = FreezeSurvivors(unfreeze_every=3)
    gc.unfreeze()
    try:
        policy("start", {"generation": 1})
        policy("stop", {"generation": 1})
        assert gc.get_freeze_count() == 0  # younger generations change nothing

        frozen = []
        for _ in range(6):
            policy("start", {"generation": 2})
            policy("stop", {"generation": 2})
            frozen.append(gc.get_freeze_count() > 0)
        # After the 2nd and 5th full collections everything is unfrozen, so the 3rd and 6th walk it all.
        assert frozen == [True, False, True, True, False, True]

        policy.install()
        policy.install()
        assert gc.callbacks.count(policy) == 1
        policy.remove()
        assert policy not in gc.callbacks
    finally:
        policy.remove()
        gc.unfreeze()
