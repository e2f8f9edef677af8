"""The identity hash matches what any site's server computes with a standard HMAC."""

from porch.visitors.identity import hash_matches, identity_hash, new_identity_secret


def test_hash_is_hex_hmac_sha256_of_the_user_id() -> None:
    # From `printf 42 | openssl dgst -sha256 -hmac secret`, as docs/identity.md shows.
    expected = "93c121e7aa437a1e01e3c512c6f0ce3c821a839025dca4408f85616de4aaee70"
    assert identity_hash("secret", "42") == expected


def test_matching_is_exact_but_case_blind() -> None:
    secret = new_identity_secret()
    good = identity_hash(secret, "42")
    assert hash_matches(secret, "42", good) and hash_matches(secret, "42", good.upper())
    assert not hash_matches(secret, "43", good)
    assert not hash_matches(new_identity_secret(), "42", good)


def test_any_presented_text_is_just_a_wrong_hash() -> None:
    """`compare_digest` raises TypeError on non-ASCII `str`: it must never reach callers."""
    secret = new_identity_secret()
    for presented in ("é", "🚀" * 64, "\ud83d", "\x00", ""):
        assert not hash_matches(secret, "42", presented)
