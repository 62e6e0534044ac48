"""Measurements on a transfer-learning script's globals (comp4901y-hw1 question 3), for drivers."""
from __future__ import annotations

from pathlib import Path

import torch

RESNET18_FILE = "resnet18-f37072fd.pth"


def _model(module):
    """``resnet18_model`` as the handout names it, else the first torchvision ResNet among the globals."""
    from torchvision.models import ResNet

    model = getattr(module, "resnet18_model", None)
    if isinstance(model, ResNet):
        return model
    found = [v for v in vars(module).values() if isinstance(v, ResNet)]
    if not found:
        raise LookupError("the script defines no resnet18 model (looked for `resnet18_model`, then any ResNet)")
    return found[0]


def pretrained_similarity(module, seed: int = 0) -> float:
    """The lowest cosine similarity between a conv weight of layer1-layer4 and the loaded weights.

    Near 1 when the model was built from the pretrained file and fine-tuned; near 0 when it was
    built from a fresh random initialisation.
    """
    loaded = torch.load(Path(torch.hub.get_dir()) / "checkpoints" / RESNET18_FILE, map_location="cpu",
                        weights_only=True)
    similarities = [torch.nn.functional.cosine_similarity(p.detach().float().flatten(), loaded[name].float().flatten(),
                                                           dim=0).item()
                    for name, p in _model(module).named_parameters() if name.startswith("layer") and p.dim() > 1]
    return min(similarities)


def logged_losses(module, seed: int = 0) -> list[float]:
    """``log['loss']`` as the script recorded it."""
    log = getattr(module, "log", None)
    if not isinstance(log, dict) or "loss" not in log:
        raise LookupError("the script has no `log` dict with a 'loss' entry")
    return [float(v) for v in log["loss"]]


def training_epochs(module, seed: int = 0) -> float:
    """Optimizer steps taken while the script ran, in epochs of its training DataLoader.

    The training loader is the script's DataLoader over a data set with ``train=True`` (else its
    largest DataLoader).
    """
    from torch.utils.data import DataLoader

    from grader.course.environment import optimizer_steps

    loaders = [v for v in vars(module).values() if isinstance(v, DataLoader)]
    if not loaders:
        raise LookupError("the script defines no DataLoader, so its epochs cannot be counted")
    training = [d for d in loaders if getattr(d.dataset, "train", False)] or loaders
    return optimizer_steps() / len(max(training, key=lambda d: len(d.dataset)))
