"""Widget modules loaded only when used, from their own bundle (`/widget/assets/lazy.js`,
`porch_widget.lazy`): the emoji picker, the pre-chat and offline forms for sites that
use them, the earlier-conversations view (once there are any), the rating form (after a
close) and the privacy notice (until agreed). Never in the widget's first download."""
