"""Pictures in the terminal: textual-image picks Kitty's graphics protocol, Sixel, or
Unicode half-blocks, whichever the terminal speaks. `halfcell` is deterministic (the
same pixels give the same cells), for tests and snapshots."""

from __future__ import annotations

from textual_image._terminal import get_cell_size
from textual_image.widget import HalfcellImage, UnicodeImage
from textual_image.widget import Image as AutoImage

RENDERERS = {"auto": AutoImage, "halfcell": HalfcellImage, "unicode": UnicodeImage}


def image_class(name: str):
    return RENDERERS[name]


def cell_pixels() -> tuple[int, int]:
    """A terminal cell's size in pixels (what the terminal says, else the common 10 x 20)."""
    cell = get_cell_size()
    return cell.width or 10, cell.height or 20
