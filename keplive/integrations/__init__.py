"""Adapters to outside systems: each has base.py (the protocol), local.py (a stand-in that
speaks the real protocol, the default) and live.py (production), chosen by a setting."""
