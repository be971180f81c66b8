"""KEPlive's national-scale benchmarks (``make bench``; see bench/README.md)."""
