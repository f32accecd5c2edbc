"What the EMNIST class-prior probes share: a model's log-probabilities, and accuracy with them moved by the class prior."
import numpy as np
from sklearn.metrics import balanced_accuracy_score
from hcr.fit import predict_probabilities


def log_probabilities(model, images: np.ndarray) -> np.ndarray:
    "The log of `model`'s (saved, calibrated) probabilities of `images`, a zero probability clipped to 1e-30."
    return np.log(np.clip(predict_probabilities(model, images), 1e-30, None))


def adjusted_accuracies(log_probs: np.ndarray, log_prior: np.ndarray, labels: np.ndarray, tau: float) -> tuple[float, float]:
    "Balanced and plain accuracy of `log_probs` moved by -`tau` x `log_prior` (logit adjustment afterwards)."
    predicted = (log_probs - tau * log_prior).argmax(1)
    return balanced_accuracy_score(labels, predicted), float((predicted == labels).mean())


def print_adjusted(log_probs: np.ndarray, log_prior: np.ndarray, labels: np.ndarray, taus, name: str = ''):
    "One line per tau: validation balanced and plain accuracy of `log_probs` adjusted by it."
    for tau in taus:
        balanced, plain = adjusted_accuracies(log_probs, log_prior, labels, tau)
        print(f'{name}tau {tau:5.2f}  validation balanced accuracy {balanced:.4f}  accuracy {plain:.4f}')
