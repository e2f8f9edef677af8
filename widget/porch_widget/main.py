"""Entry point imported by frame.html."""

from porch_widget import consent, rating
from porch_widget.app import Widget

widget = Widget()
rating.use(widget._emit)  # the rating form sends on the widget's socket
consent.arm(widget._emit)  # the privacy notice, when the site asks for consent
widget.start()
