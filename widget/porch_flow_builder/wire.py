"""JSON requests to the builder's endpoints, with the session's CSRF token."""

from browser import document, window

from porch_sio import jsontext


def request(method, url, body, done):
    """JSON over XMLHttpRequest; `done(status, reply)` (reply {} when not JSON)."""
    xhr = window.XMLHttpRequest.new()
    xhr.open(method, url)
    token = document.select_one("input[name=csrf_token]")
    xhr.setRequestHeader("X-CSRF-Token", token.value if token is not None else "")
    xhr.setRequestHeader("Content-Type", "application/json")

    def loaded(_event):
        try:
            reply = jsontext.loads(xhr.responseText) if xhr.responseText else {}
        except Exception:
            reply = {}
        done(xhr.status, reply if isinstance(reply, dict) else {})

    xhr.onload = loaded
    xhr.onerror = lambda _e: done(0, {"error": "The server could not be reached."})
    xhr.send(jsontext.dumps(body) if body is not None else None)
