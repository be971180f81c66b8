"""The Merkle tree (RFC 6962): the reference test vectors of Certificate Transparency, and
inclusion proofs that verify for every leaf and fail for anything else. No database."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from keplive.audit import merkle

# RFC 6962's test data (certificate-transparency's merkle_tree_test): leaves and the root of
# the tree of the first n of them.
LEAVES = [
    bytes.fromhex(text)
    for text in [
        "",
        "00",
        "10",
        "2021",
        "3031",
        "40414243",
        "5051525354555657",
        "606162636465666768696a6b6c6d6e6f",
    ]
]
ROOTS = [
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]
PATHS = {
    (0, 8): [
        "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
    ],
    (5, 8): [
        "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    ],
    (2, 3): ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"],
    (0, 1): [],
}
HASHES = [merkle.leaf_hash(leaf) for leaf in LEAVES]


def reference_root(leaves: list[bytes]) -> bytes:
    """RFC 6962's MTH, written as the RFC writes it (recursive), to check the one-pass root."""
    if not leaves:
        return merkle.EMPTY_ROOT
    if len(leaves) == 1:
        return leaves[0]
    k = 1
    while k * 2 < len(leaves):
        k *= 2
    return merkle.node_hash(reference_root(leaves[:k]), reference_root(leaves[k:]))


@pytest.mark.parametrize("size", range(1, 9))
def test_roots_match_the_reference_vectors(size):
    assert merkle.root_hash(HASHES[:size]).hex() == ROOTS[size - 1]


def test_the_empty_tree_is_the_hash_of_nothing():
    assert merkle.root_hash([]).hex() == (
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    )


@pytest.mark.parametrize(("index", "size"), list(PATHS))
def test_audit_paths_match_the_reference_vectors(index, size):
    path = merkle.inclusion_path(index, HASHES[:size])
    assert [node.hex() for node in path] == PATHS[(index, size)]
    assert merkle.verify_inclusion(
        leaf=HASHES[index],
        index=index,
        tree_size=size,
        path=path,
        root=bytes.fromhex(ROOTS[size - 1]),
    )


def test_a_leaf_cannot_pass_for_a_node():
    # The prefixes differ: an inner node's children, offered as one leaf, hash differently.
    two = merkle.root_hash(HASHES[:2])
    assert merkle.leaf_hash(HASHES[0] + HASHES[1]) != two


leaf_lists = st.lists(st.binary(max_size=8), min_size=1, max_size=70)


@given(leaf_lists)
def test_the_one_pass_root_is_rfc_6962s(data):
    hashes = [merkle.leaf_hash(item) for item in data]
    assert merkle.root_hash(hashes) == reference_root(hashes)


@given(leaf_lists, st.data())
def test_every_leaf_has_a_logarithmic_proof_that_verifies(data, draw):
    hashes = [merkle.leaf_hash(item) for item in data]
    root = merkle.root_hash(hashes)
    index = draw.draw(st.integers(0, len(hashes) - 1))
    path = merkle.inclusion_path(index, hashes)
    assert len(path) <= (len(hashes) - 1).bit_length()
    assert merkle.verify_inclusion(
        leaf=hashes[index], index=index, tree_size=len(hashes), path=path, root=root
    )


@given(leaf_lists, st.data())
def test_a_proof_fails_for_another_leaf_place_root_or_path(data, draw):
    hashes = [merkle.leaf_hash(item) for item in data]
    size = len(hashes)
    root = merkle.root_hash(hashes)
    index = draw.draw(st.integers(0, size - 1))
    path = merkle.inclusion_path(index, hashes)

    def verifies(leaf=hashes[index], at=index, nodes=path):
        return merkle.verify_inclusion(leaf=leaf, index=at, tree_size=size, path=nodes, root=root)

    assert not verifies(leaf=merkle.leaf_hash(b"forged"))
    other = draw.draw(st.integers(0, size - 1))
    if hashes[other] != hashes[index]:
        assert not verifies(at=other) or path == merkle.inclusion_path(other, hashes)
    # A path is only as good as the root it is checked against: another tree's root fails.
    assert not merkle.verify_inclusion(
        leaf=hashes[index],
        index=index,
        tree_size=size + 1,
        path=path,
        root=merkle.root_hash([*hashes, merkle.leaf_hash(b"later")]),
    )
    if path:
        spot = draw.draw(st.integers(0, len(path) - 1))
        flipped = bytes([path[spot][0] ^ 1]) + path[spot][1:]
        assert not verifies(nodes=[*path[:spot], flipped, *path[spot + 1 :]])
        assert not verifies(nodes=path[:-1])
    assert not verifies(at=size)


def test_a_path_for_a_leaf_outside_the_tree_is_refused():
    with pytest.raises(IndexError):
        merkle.inclusion_path(3, HASHES[:3])
