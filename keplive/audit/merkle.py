"""Merkle trees as RFC 6962 (Certificate Transparency) defines them; standard library only.

A leaf's hash is ``SHA-256(0x00 || data)`` and an inner node's ``SHA-256(0x01 || left || right)``:
the two prefixes keep a leaf from ever passing for a node (second-preimage attacks). A tree of
``n`` leaves splits at ``k``, the largest power of two below ``n``, so a tree's shape depends on
its size alone and the root commits to every leaf *and its position*.

An inclusion proof (the "audit path") of leaf ``m`` in a tree of ``n`` leaves is the
``O(log n)`` sibling hashes from the leaf up to the root; ``verify_inclusion`` is RFC 9162's
algorithm (section 2.1.3.2). Hashes are ``bytes`` here; the database stores them as hex.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

LEAF_PREFIX = b"\x00"
NODE_PREFIX = b"\x01"
# The root of a tree without leaves: SHA-256 of nothing (RFC 6962, section 2.1).
EMPTY_ROOT = hashlib.sha256(b"").digest()


def leaf_hash(data: bytes) -> bytes:
    return hashlib.sha256(LEAF_PREFIX + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(NODE_PREFIX + left + right).digest()


def _split(size: int) -> int:
    """The largest power of two smaller than ``size`` (``size`` > 1)."""
    return 1 << ((size - 1).bit_length() - 1)


def root_hash(leaves: Sequence[bytes]) -> bytes:
    """The root of the tree whose leaf hashes are ``leaves``, in one pass and O(log n) memory.

    Perfect subtrees are merged as soon as two of the same height meet (the binary counter of
    the leaves seen); what remains on the right edge is folded from the right, which is exactly
    RFC 6962's split at the largest power of two."""
    if not leaves:
        return EMPTY_ROOT
    stack: list[tuple[int, bytes]] = []  # (height, hash) of perfect subtrees, left to right
    for leaf in leaves:
        height, value = 0, leaf
        while stack and stack[-1][0] == height:
            _, left = stack.pop()
            value = node_hash(left, value)
            height += 1
        stack.append((height, value))
    value = stack.pop()[1]
    while stack:
        value = node_hash(stack.pop()[1], value)
    return value


def inclusion_path(index: int, leaves: Sequence[bytes]) -> list[bytes]:
    """RFC 6962's PATH(m, D[n]): the sibling hashes from leaf ``index`` up to the root."""
    if not 0 <= index < len(leaves):
        raise IndexError(f"leaf {index} is not in a tree of {len(leaves)} leaves")
    path: list[bytes] = []
    low, high = 0, len(leaves)  # the subtree [low, high) holding the leaf
    while high - low > 1:
        k = _split(high - low)
        if index < low + k:
            path.append(root_hash(leaves[low + k : high]))
            high = low + k
        else:
            path.append(root_hash(leaves[low : low + k]))
            low = low + k
    path.reverse()  # from the leaf upwards
    return path


def root_from_inclusion(
    *, leaf: bytes, index: int, tree_size: int, path: Sequence[bytes]
) -> bytes | None:
    """The root that ``path`` proves for ``leaf`` at ``index``, or None when the path cannot
    belong to a tree of ``tree_size`` leaves (RFC 9162, 2.1.3.2)."""
    if not 0 <= index < tree_size:
        return None
    fn, sn, value = index, tree_size - 1, leaf
    for sibling in path:
        if sn == 0:
            return None
        if fn & 1 or fn == sn:
            value = node_hash(sibling, value)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            value = node_hash(value, sibling)
        fn >>= 1
        sn >>= 1
    return value if sn == 0 else None


def verify_inclusion(
    *, leaf: bytes, index: int, tree_size: int, path: Sequence[bytes], root: bytes
) -> bool:
    """Whether ``path`` proves that ``leaf`` is leaf ``index`` of the tree with this root."""
    return root_from_inclusion(leaf=leaf, index=index, tree_size=tree_size, path=path) == root
