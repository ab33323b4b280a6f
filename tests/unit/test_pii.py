"""Keyed phone hashes: the fast hasher is exactly HMAC-SHA256."""

import hashlib
import hmac

import pytest

from samvad.pii import PhoneHasher, phone_hash


@pytest.mark.parametrize("key", [b"", b"k" * 32, b"x" * 64, b"long-key-" * 20])
def test_phone_hasher_is_hmac_sha256_truncated(key):
    """Given keys shorter than, equal to and longer than SHA-256's block, When a number is
    hashed, Then the result is the standard library's HMAC-SHA256, first 16 bytes, hex."""
    for number in ("+919876543210", "+917008011122"):
        expected = hmac.digest(key, number.encode(), hashlib.sha256)[:16].hex()
        assert PhoneHasher(key)(number) == phone_hash(key, number) == expected


def test_different_keys_give_unrelated_hashes():
    """Given two deployments' keys, Then one number hashes differently under each."""
    assert phone_hash(b"a" * 32, "+919876543210") != phone_hash(b"b" * 32, "+919876543210")
