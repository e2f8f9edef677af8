from porch.panel.sessions import encode_session
from porch.visitors.tokens import VisitorClaim, issue_visitor_token, read_visitor_token

SECRET = "s3cret"


def test_a_token_names_its_site_and_visitor() -> None:
    token = issue_visitor_token(SECRET, 3, 7)
    assert read_visitor_token(SECRET, token) == VisitorClaim(site_id=3, visitor_id=7)


def test_tampered_foreign_and_odd_tokens_are_rejected() -> None:
    token = issue_visitor_token(SECRET, 3, 7)
    for bad in [
        token[:-2] + ("AA" if not token.endswith("AA") else "BB"),
        issue_visitor_token("other", 3, 7),
        encode_session(SECRET, "7"),  # signed with the same key, other salt
        "",
        None,
        12,
        "x" * 600,
    ]:
        assert read_visitor_token(SECRET, bad) is None
