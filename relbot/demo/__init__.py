"""``relbot demo``: a runtime monorepo built by following the default policy."""
