"Test helper: a 28x28 character drawn as dark ink on a large light canvas, as a photo of paper would be."
import numpy as np
from PIL import Image, ImageFilter


def on_paper(image: np.ndarray, size: int = 300, offset: tuple = (40, 90), thin: int = 0) -> np.ndarray:
    """Draw a 28x28 white-on-black character as dark ink on a large light grey canvas (for tests and demos), 140 pixels
    high, its strokes `thin` pixels thinner each side (as a fine pen would draw them)."""
    big = Image.fromarray(np.squeeze(image)).resize((140, 140), Image.BICUBIC)
    if thin: big = big.filter(ImageFilter.MinFilter(2 * thin + 1))
    big = np.asarray(big, dtype=np.float32)
    canvas = np.full((size, size), 235, np.float32)
    y, x = offset
    canvas[y:y+140, x:x+140] = 235 - big * 200/255
    return canvas.clip(0, 255).astype(np.uint8)

