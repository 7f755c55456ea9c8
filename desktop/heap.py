"""Keep Python's garbage collector out of the way of clicks once a project is loaded.

A large project leaves ~140,000 long-lived objects behind (the article list's rows, the
codebook, Qt wrappers). With the default thresholds the collector keeps walking through them,
and a click allocates enough (rows read, records built) to set it off: on a 10,000-article
project a click took ~25 ms, ~19 ms with the collector settled (bench/bench_scale.py). So, once
a project is shown: collect what is garbage now, then freeze the rest (later collections skip
it; objects still go as soon as nothing refers to them) and collect young objects less often.
Reference cycles among the frozen objects that become garbage later wait for the next
``settle`` (another project), a small price. (On Python 3.13+ the thresholds after the first
mean something else; revisit them with the figures when we move.)
"""

from __future__ import annotations

import gc

YOUNG = 10_000  # allocations between young collections (Python's default: 700)
OLDER = 10  # young collections per middle one, middle per full (the default)


def settle() -> None:
    """Call after a project's views are filled: the loaded objects are here to stay."""
    gc.unfreeze()  # the previous project's objects may be garbage now
    gc.collect()
    gc.set_threshold(YOUNG, OLDER, OLDER)
    gc.freeze()
