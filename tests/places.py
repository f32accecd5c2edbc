"Where the tests find the project and the real data (one home for both paths)."
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent/'shared'/'data'  # the real MNIST and EMNIST beside the checkout (see its README)
