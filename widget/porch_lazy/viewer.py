"""The widget's image viewer (`porch_media.viewer`), loaded the first time a visitor opens a
thumbnail (`porch_widget.attachments.LazyViewer`)."""

from porch_media.viewer import Viewer

VIEWER = Viewer("porch-viewer")
