"""Browser parts the panel always has and the widget loads only when used (its lazy
bundle): the image viewer."""
