"""Widget modules loaded only when used, from their own bundle (`/widget/assets/lazy.js`,
`porch_widget.lazy`): the emoji picker, the pre-chat and offline forms for sites that
use them, the earlier-conversations view (once there are any), the rating form (after a
close), the privacy notice (until agreed) and the image viewer (when a thumbnail is
first opened). Never in the widget's first download."""
