from porch.operators.service import Operator
from porch.realtime.presence import Presence

OLIVIA = Operator(1, "olivia@example.com", "Olivia")


def test_operator_online_until_the_last_socket_closes() -> None:
    presence = Presence()
    assert not presence.operators_online() and not presence.online_flipped()
    presence.operator_connected(OLIVIA, "a")
    presence.operator_connected(OLIVIA, "b")
    assert presence.online_flipped() and not presence.online_flipped()
    presence.operator_disconnected("a")
    assert presence.operators() == [{"id": 1, "name": "Olivia", "status": "online"}]
    presence.set_status(1, "away")
    assert not presence.operators_online() and presence.online_flipped()
    presence.operator_disconnected("b")
    assert presence.operators() == [] and presence.operator_status(1) == "offline"


def test_visitor_online_by_socket_or_recent_session() -> None:
    presence = Presence()
    presence.visitor_pinged(7)
    assert presence.online_visitor_ids() == {7}
    presence.visitor_connected(7, "s1")
    presence.visitor_connected(7, "s2")
    assert presence.visitor_disconnected("s1") == 7
    assert presence.online_visitor_ids() == {7}
    presence.visitor_disconnected("s2")
    assert presence.online_visitor_ids() == set()  # the socket outranks the earlier ping
    assert presence.visitor_disconnected("unknown") is None
