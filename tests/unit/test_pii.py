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


@pytest.mark.parametrize(
    ("key", "message", "expected"),
    [
        # RFC 4231 test cases 2 and 6 (HMAC-SHA-256), first 16 bytes of the MAC
        (b"Jefe", "what do ya want for nothing?", "5bdcc146bf60754e6a042426089575c7"),
        (
            b"\xaa" * 131,
            "Test Using Larger Than Block-Size Key - Hash Key First",
            "60e431591ee0b67f0d8a26aacbf5b77f",
        ),
        # a number hashed before the change (the phone hashes stored in every table)
        (b"k" * 32, "+919876543210", "0e32eedc12d55651b54210323fc7cb0d"),
    ],
)
def test_phone_hashes_match_known_vectors(key, message, expected):
    """Given RFC 4231's vectors and a hash stored before, When hashed again (one-off and with
    a hasher reused across numbers), Then the values are the same."""
    hasher = PhoneHasher(key)
    assert phone_hash(key, message) == hasher(message) == expected
    assert hasher("+917008011122") == phone_hash(key, "+917008011122")
    assert hasher(message) == expected  # the keyed state is copied, never used up


@pytest.mark.parametrize("key", [b"", b"k" * 32, b"x" * 64, b"y" * 65, b"long-key-" * 20])
@pytest.mark.parametrize("message", [b"", b"+919876543210", b"m" * 64, b"n" * 200])
def test_keyed_hmac_is_the_standard_librarys(key, message):
    """Given keys and messages around SHA-256's block size, When the pads-once HMAC digests
    them, Then it is byte for byte ``hmac.digest``."""
    from samvad.keyed import hmac_sha256, sha256

    assert hmac_sha256(key)(message) == hmac.digest(key, message, hashlib.sha256)
    assert sha256(message).hexdigest() == hashlib.sha256(message).hexdigest()
