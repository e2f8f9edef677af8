"""Sites: the shops that embed the widget, their allowed origins and widget settings."""
