"""Widget modules loaded only when used, from their own bundle (`/widget/assets/lazy.js`,
`porch_widget.lazy`): the emoji picker, and the pre-chat and offline forms for sites that
use them. Never in the widget's first download."""
