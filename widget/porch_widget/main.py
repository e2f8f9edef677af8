"""Entry point imported by frame.html."""

from porch_widget.app import Widget

Widget().start()
