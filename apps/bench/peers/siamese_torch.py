#!/usr/bin/python3
"""PyTorch peer of twinnet's bench: the same towers, heads, losses, batch sizes and pair sampling, on the same
images, timed the same way. The bench (apps/bench/src/peer.ts) writes the data splits and a spec, runs

    /usr/bin/python3 siamese_torch.py SPEC.json OUT.json     short runs and time to accuracy
    /usr/bin/python3 siamese_torch.py SPEC.json --serve      throughput, one timed round per request

and validates what it reads (apps/bench/src/peer-output.ts). Progress goes to stderr.

Keep in sync with twinnet (the bench checks the pair sampler by digest and the towers by parameter count):
  towers      packages/core/src/model/towers/small.ts, deep.ts, vgg.ts
  heads       packages/core/src/model/heads/distance.ts, mlp.ts (sigmoid(4 d - 2) of the Euclidean distance d, 1e-7 floor, trainable;
                                                MLP on [a, b, |a-b|, a*b])
  losses      packages/core/src/train/losses/contrastive.ts, binary-cross-entropy.ts (contrastive, label 1 = same; BCE on logits)
  pairs, rng  packages/core/src/train/pairs.ts, packages/datasets/src/random.ts (samplePairs, mulberry32)
  train step  packages/core/src/train/steps.ts       (the tower runs once over the 2n images of a batch)
  classifier  packages/core/src/train/losses/norm-softmax.ts (cosine to a learnt proxy per class × 16, cross-entropy)
"""

import hashlib
import json
import math
import os
import resource
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

IMAGE = 28
PIXELS = IMAGE * IMAGE
U32 = 0xFFFFFFFF


def log(message):
    print(f"[peer] {message}", file=sys.stderr, flush=True)


# ---- seeded sampling, bit-identical to packages/core/src/random.ts and train/pairs.ts ----------------------------


class Mulberry32:
    def __init__(self, seed):
        self.state = seed & U32

    def next(self):
        # JS does this in int32 with Math.imul; unsigned arithmetic mod 2^32 gives the same bits.
        self.state = (self.state + 0x6D2B79F5) & U32
        t = self.state
        t = ((t ^ (t >> 15)) * (t | 1)) & U32
        t ^= (t + (((t ^ (t >> 7)) * (t | 61)) & U32)) & U32
        return ((t ^ (t >> 14)) & U32) / 4294967296

    def int(self, n):
        return math.floor(self.next() * n)


def index_by_class(labels):
    classes = sorted(set(int(v) for v in np.unique(labels)))
    return classes, {c: np.flatnonzero(labels == c).astype(np.int32) for c in classes}


def sample_pairs(index, count, rng):
    """samplePairs: half positives (anchors cycle through classes), negatives spread over class pairs."""
    classes, by_class = index
    c = len(classes)
    lists = [by_class[k].tolist() for k in classes]
    a = [0] * count
    b = [0] * count
    same = [0] * count
    positives = (count + 1) // 2
    for i in range(positives):
        items = lists[i % c]
        first = rng.int(len(items))
        second = (first + 1 + rng.int(len(items) - 1)) % len(items)
        a[i], b[i], same[i] = items[first], items[second], 1
    for j in range(count - positives):
        i = positives + j
        anchor = j % c
        offset = 1 + (j // c) % (c - 1)
        first = lists[anchor]
        a[i] = first[rng.int(len(first))]
        other = lists[(anchor + offset) % c]
        b[i] = other[rng.int(len(other))]
    order = list(range(count))
    for i in range(count - 1, 0, -1):
        k = rng.int(i + 1)
        order[i], order[k] = order[k], order[i]
    return (
        np.array([a[k] for k in order], dtype=np.int32),
        np.array([b[k] for k in order], dtype=np.int32),
        np.array([same[k] for k in order], dtype=np.uint8),
    )


def pairs_digest(pairs):
    a, b, same = pairs
    h = hashlib.sha256()
    for part in (a.astype("<i4"), b.astype("<i4"), same.astype(np.uint8)):
        h.update(part.tobytes())
    return h.hexdigest()


# ---- models: mirror packages/core/src/model/towers/ and heads/ -----------------------------------------------
# tfjs BatchNormalization(momentum 0.9, epsilon 1e-3) is PyTorch BatchNorm(momentum 0.1, eps 1e-3).
# Flatten order differs (NHWC vs NCHW); that only permutes the next layer's weights.


class SmallTower(nn.Module):
    """smallTower: BN, Conv(4, 5x5, tanh), AvgPool 2, Conv(16, 5x5, tanh), AvgPool 2, Flatten, BN, Dense(tanh)."""

    def __init__(self, dim=10):
        super().__init__()
        self.bn_in = nn.BatchNorm2d(1, eps=1e-3, momentum=0.1)
        self.conv1 = nn.Conv2d(1, 4, 5)
        self.conv2 = nn.Conv2d(4, 16, 5)
        self.bn_flat = nn.BatchNorm1d(16 * 4 * 4, eps=1e-3, momentum=0.1)
        self.dense = nn.Linear(16 * 4 * 4, dim)
        for conv in (self.conv1, self.conv2):
            nn.init.xavier_uniform_(conv.weight)
            nn.init.zeros_(conv.bias)
        # varianceScaling(0.01, fanAvg, uniform) is Glorot uniform with gain sqrt(0.01).
        nn.init.xavier_uniform_(self.dense.weight, gain=0.1)
        nn.init.zeros_(self.dense.bias)

    def forward(self, x):
        x = self.bn_in(x)
        x = F.avg_pool2d(torch.tanh(self.conv1(x)), 2)
        x = F.avg_pool2d(torch.tanh(self.conv2(x)), 2)
        x = self.bn_flat(torch.flatten(x, 1))
        return torch.tanh(self.dense(x))


class DeepTower(nn.Module):
    """deepTower: Conv 32/64/128/512 (3x3, ReLU, stride 2, same padding: 28-14-7-4-2), global average pool, Dense."""

    def __init__(self, dim=64):
        super().__init__()
        widths = [(1, 32, 2), (32, 64, 2), (64, 128, 2), (128, 512, 2)]
        self.convs = nn.ModuleList(nn.Conv2d(i, o, 3, stride=s, padding=1) for i, o, s in widths)
        self.dense = nn.Linear(512, dim)
        for conv in self.convs:
            nn.init.kaiming_normal_(conv.weight, nonlinearity="relu")
            nn.init.zeros_(conv.bias)
        nn.init.xavier_uniform_(self.dense.weight)
        nn.init.zeros_(self.dense.bias)

    def forward(self, x):
        for conv in self.convs:
            x = F.relu(conv(x))
        return self.dense(torch.flatten(F.adaptive_avg_pool2d(x, 1), 1))


class VggTower(nn.Module):
    """vgg: per stage two 3x3 convolutions (no bias), each BatchNorm + ReLU, then 2x2 max-pooling; stages of
    32, 64, 128 channels (28-14-7-3); global average pool; a linear embedding.

    tfjs BatchNormalization(momentum 0.9, epsilon 1e-5) is PyTorch BatchNorm2d(momentum 0.1, eps 1e-5)."""

    def __init__(self, dim=128):
        super().__init__()
        layers = []
        channels = 1
        for width in (32, 64, 128):
            for _ in range(2):
                conv = nn.Conv2d(channels, width, 3, padding=1, bias=False)
                nn.init.kaiming_normal_(conv.weight, nonlinearity="relu")
                layers += [conv, nn.BatchNorm2d(width, eps=1e-5, momentum=0.1), nn.ReLU(inplace=True)]
                channels = width
            layers.append(nn.MaxPool2d(2))
        self.features = nn.Sequential(*layers)
        self.dense = nn.Linear(channels, dim)
        nn.init.xavier_uniform_(self.dense.weight)
        nn.init.zeros_(self.dense.bias)

    def forward(self, x):
        return self.dense(torch.flatten(F.adaptive_avg_pool2d(self.features(x), 1), 1))


class CosineClassifier(nn.Module):
    """norm-softmax (NormFace): cross-entropy over the cosines of each embedding to a learnt proxy per class, over a
    temperature. The proxies belong to the loss, not the tower: their parameters are not the tower's."""

    def __init__(self, classes, dim, temperature):
        super().__init__()
        self.proxies = nn.Parameter(torch.randn(classes, dim) / math.sqrt(dim))
        self.scale = 1.0 / temperature

    def forward(self, embeddings, targets):
        logits = F.normalize(embeddings, dim=1) @ F.normalize(self.proxies, dim=1).T * self.scale
        return F.cross_entropy(logits, targets)


def distance_head(a, b):
    return torch.sqrt(torch.clamp(torch.sum((a - b) ** 2, dim=-1, keepdim=True), min=1e-7))


class CalibratedDistanceHead(nn.Module):
    """buildHead('distance'): sigmoid(w * d + b) of the Euclidean distance, w = 4 and b = -2 at the start."""

    def __init__(self):
        super().__init__()
        self.calibration = nn.Linear(1, 1)
        nn.init.constant_(self.calibration.weight, 4.0)
        nn.init.constant_(self.calibration.bias, -2.0)

    def forward(self, a, b):
        return torch.sigmoid(self.calibration(distance_head(a, b)))


class MlpHead(nn.Module):
    """buildHead('mlp'): concat(a, b, |a - b|, a * b), Dense(128, relu, He normal), Dense(1) logit."""

    def __init__(self, dim, hidden=128):
        super().__init__()
        self.hidden = nn.Linear(4 * dim, hidden)
        self.logit = nn.Linear(hidden, 1)
        nn.init.kaiming_normal_(self.hidden.weight, nonlinearity="relu")
        nn.init.zeros_(self.hidden.bias)
        nn.init.xavier_uniform_(self.logit.weight)
        nn.init.zeros_(self.logit.bias)

    def forward(self, a, b):
        return self.logit(F.relu(self.hidden(torch.cat([a, b, torch.abs(a - b), a * b], dim=1))))


def contrastive_loss(margin):
    def loss(same, d):
        return torch.mean(same * d**2 + (1 - same) * F.relu(margin - d) ** 2)

    return loss


def bce_loss(same, logits):
    return F.binary_cross_entropy_with_logits(logits, same)


class Siamese(nn.Module):
    def __init__(self, recipe, seed):
        super().__init__()
        torch.manual_seed(seed)
        dim = recipe["embeddingDim"]
        self.tower = SmallTower(dim) if recipe["tower"] == "small" else DeepTower(dim)
        self.pair_head = MlpHead(dim) if recipe["head"] == "mlp" else CalibratedDistanceHead()
        self.polarity = "higher-is-same" if recipe["head"] == "mlp" else "lower-is-same"

    def head(self, a, b):
        return self.pair_head(a, b)


def make_optimizer(recipe, params):
    lr = recipe["learningRate"]
    name = recipe["optimizer"]
    # tfjs defaults: rmsprop decay 0.9, epsilon 1e-7 (inside the square root there, outside here); adam 1e-7.
    if name == "rmsprop":
        return torch.optim.RMSprop(params, lr=lr, alpha=0.9, eps=1e-7)
    if name == "adam":
        return torch.optim.Adam(params, lr=lr, eps=1e-7)
    if name == "sgd":
        return torch.optim.SGD(params, lr=lr)
    raise ValueError(f"unknown optimizer {name}")


def make_loss(recipe):
    return contrastive_loss(recipe["margin"]) if recipe["head"] == "distance" else bce_loss


# ---- data ------------------------------------------------------------------------------------------------


def load_split(directory, name):
    images = np.fromfile(os.path.join(directory, f"{name}-images.u8"), dtype=np.uint8)
    labels = np.fromfile(os.path.join(directory, f"{name}-labels.u8"), dtype=np.uint8)
    if images.size != labels.size * PIXELS:
        raise ValueError(f"{name}: {images.size} pixels for {labels.size} labels")
    # Scaled once to [0, 1] NCHW float32, like twinnet's gatherImages.
    return torch.from_numpy(images.reshape(-1, 1, IMAGE, IMAGE).astype(np.float32) / 255.0), labels


def pair_batch(images, a, b):
    return torch.cat([images[torch.from_numpy(a).long()], images[torch.from_numpy(b).long()]])


# ---- measurements ----------------------------------------------------------------------------------------


def train_step(model, optimizer, loss_fn, x, same):
    n = same.shape[0]
    optimizer.zero_grad(set_to_none=True)
    e = model.tower(x)
    out = model.head(e[:n], e[n:])
    loss = loss_fn(same, out)
    loss.backward()
    optimizer.step()
    return loss.item()


class PairStream:
    """Fresh pairs in chunks of `per_epoch`, drawn from one rng, like consecutive trainEpoch calls."""

    def __init__(self, index, per_epoch, seed):
        self.index, self.per_epoch, self.rng = index, per_epoch, Mulberry32(seed)
        self.pairs, self.at = None, 0
        self.sampling_seconds = 0.0

    def batch(self, size):
        if self.pairs is None or self.at >= len(self.pairs[0]):
            started = time.perf_counter()
            self.pairs, self.at = sample_pairs(self.index, self.per_epoch, self.rng), 0
            self.sampling_seconds += time.perf_counter() - started
        end = min(self.at + size, len(self.pairs[0]))
        a, b, same = (p[self.at : end] for p in self.pairs)
        self.at = end
        return a, b, same


class Timer:
    """Wall time and this process's CPU time (all threads) of a block: CPU time hardly moves when other
    processes compete for the cores, wall time does."""

    def __enter__(self):
        self.wall, self.cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc):
        self.wall = time.perf_counter() - self.wall
        self.cpu = time.process_time() - self.cpu


class Throughput:
    """One variant's model, optimizer and batches, timed one round at a time: the bench alternates rounds of ours
    and the peer's, so both are measured under the same load on the machine."""

    def __init__(self, spec, job, data):
        recipe = job["recipe"]
        self.job = job
        self.images, labels = data["train"]
        self.model = Siamese(recipe, spec["seed"])
        self.optimizer = make_optimizer(recipe, self.model.parameters())
        self.loss_fn = make_loss(recipe)
        size = recipe["batchSize"]
        total = job["warmupSteps"] + job["steps"] * job["rounds"]
        a, b, same = sample_pairs(index_by_class(labels), size * total, Mulberry32(job["pairSeed"]))
        self.batches = [
            (a[k * size : (k + 1) * size], b[k * size : (k + 1) * size], same[k * size : (k + 1) * size])
            for k in range(total)
        ]
        self.next_step = 0
        self.next_embed = 0
        self.model.train()
        for _ in range(job["warmupSteps"]):
            self.step()
        with torch.no_grad():
            self.model.eval()
            self.model.tower(self.images[: job["embedBatch"]]).numpy()

    def step(self):
        a, b, same = self.batches[self.next_step]
        self.next_step += 1
        y = torch.from_numpy(same.astype(np.float32)).reshape(-1, 1)
        train_step(self.model, self.optimizer, self.loss_fn, pair_batch(self.images, a, b), y)

    def train_round(self):
        self.model.train()
        with Timer() as timer:
            for _ in range(self.job["steps"]):
                self.step()
        return timer

    def embed_round(self):
        """Inference through the tower, batches of `embedBatch` images."""
        self.model.eval()
        size = self.job["embedBatch"]
        with torch.no_grad(), Timer() as timer:
            for _ in range(self.job["embedBatches"]):
                start = (self.next_embed * size) % (self.images.shape[0] - size)
                self.next_embed += 1
                self.model.tower(self.images[start : start + size]).numpy()
        return timer

    def latency(self, warmup, calls):
        """Two images in, one score out; the tower runs once per image, as in twinnet's saved pair model."""
        self.model.eval()
        out = []
        with torch.no_grad():
            for k in range(warmup + calls):
                started = time.perf_counter()
                a = self.images[2 * k : 2 * k + 1]
                b = self.images[2 * k + 1 : 2 * k + 2]
                self.model.head(self.model.tower(a), self.model.tower(b)).item()
                if k >= warmup:
                    out.append((time.perf_counter() - started) * 1000)
        return out


class ClassifierThroughput:
    """The classifier workload: the vgg tower trained by the cosine classifier, Adam over the tower's weights and
    the proxies, on P×K batches (every class of `classes` × `perClass` images, drawn afresh each step from a
    seeded generator: the same sizes as twinnet's in-batch pairing, not the same images), and embedding."""

    def __init__(self, spec, job, data):
        workload = job["classifier"]
        self.job = job
        self.images, labels = data["train"]
        torch.manual_seed(spec["seed"])
        self.tower = VggTower(workload["embeddingDim"])
        classes = workload["classes"]
        self.loss = CosineClassifier(len(classes), workload["embeddingDim"], workload["temperature"])
        self.optimizer = torch.optim.Adam(
            list(self.tower.parameters()) + list(self.loss.parameters()), lr=workload["learningRate"], eps=1e-7
        )
        self.by_class = [torch.from_numpy(np.flatnonzero(labels == c)) for c in classes]
        self.per_class = workload["perClass"]
        self.targets = torch.arange(len(classes)).repeat_interleave(self.per_class)
        self.generator = torch.Generator().manual_seed(workload["batchSeed"])
        self.next_embed = 0
        for _ in range(job["warmupSteps"]):
            self.step()
        with torch.no_grad():
            self.tower.eval()
            self.tower(self.images[: job["embedBatch"]]).numpy()

    def step(self):
        self.tower.train()
        ids = torch.cat(
            [ids[torch.randint(len(ids), (self.per_class,), generator=self.generator)] for ids in self.by_class]
        )
        self.optimizer.zero_grad(set_to_none=True)
        loss = self.loss(self.tower(self.images[ids]), self.targets)
        loss.backward()
        self.optimizer.step()
        return loss.item()

    def train_round(self):
        with Timer() as timer:
            for _ in range(self.job["steps"]):
                self.step()
        return timer

    def embed_round(self):
        self.tower.eval()
        size = self.job["embedBatch"]
        with torch.no_grad(), Timer() as timer:
            for _ in range(self.job["embedBatches"]):
                start = (self.next_embed * size) % (self.images.shape[0] - size)
                self.next_embed += 1
                self.tower(self.images[start : start + size]).numpy()
        return timer


# Longer than libgomp's spin before an idle thread sleeps (GOMP_SPINCOUNT, 300,000 spins by default).
IDLE_AFTER_ROUND_S = 0.05


def serve(spec, data):
    """Throughput on request: one JSON command per line on stdin, one JSON reply per line on stdout."""
    sessions = {}
    for line in sys.stdin:
        command = json.loads(line)
        op = command["op"]
        try:
            if op == "setup":
                if "classifier" in command:
                    session = ClassifierThroughput(spec, command, data)
                    tower = session.tower
                else:
                    session = Throughput(spec, command, data)
                    tower = session.model.tower
                sessions[command["variant"]] = session
                reply = {"towerParameters": sum(p.numel() for p in tower.parameters())}
            elif op in ("train", "embed"):
                session = sessions[command["variant"]]
                timer = session.train_round() if op == "train" else session.embed_round()
                reply = {"wall": timer.wall, "cpu": timer.cpu}
                # After a parallel region libgomp's idle threads spin for milliseconds before they sleep. On two
                # cores that spin ran into the next side's round (ours): embedding rounds of 25 ms lost a fifth.
                # Idle here, untimed, until they have stopped.
                if torch.get_num_threads() > 1:
                    time.sleep(IDLE_AFTER_ROUND_S)
            elif op == "latency":
                reply = {"latencyMs": sessions[command["variant"]].latency(command["warmup"], command["calls"])}
            elif op == "finish":
                reply = finish(spec, data)
            else:
                raise ValueError(f"unknown op {op}")
        except Exception as error:  # noqa: BLE001 - the bench reports it with the command
            reply = {"error": f"{type(error).__name__}: {error}"}
        print(json.dumps(reply), flush=True)
        if op == "finish" or "error" in reply:
            return


def finish(spec, data):
    check = sample_pairs(index_by_class(data["train"][1]), spec["digestPairs"], Mulberry32(spec["digestSeed"]))
    return {
        "threads": spec["threads"],
        "torch": torch.__version__,
        "python": sys.version.split()[0],
        "pairsDigest": pairs_digest(check),
        # ru_maxrss is in KiB on Linux.
        "peakRssMiB": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def embed(model, images, batch=256):
    model.eval()
    with torch.no_grad():
        return torch.cat([model.tower(images[s : s + batch]) for s in range(0, images.shape[0], batch)])


def score(model, embeddings, pairs, loss_fn):
    a, b, same = pairs
    with torch.no_grad():
        out = model.head(embeddings[torch.from_numpy(a).long()], embeddings[torch.from_numpy(b).long()])
        y = torch.from_numpy(same.astype(np.float32)).reshape(-1, 1)
        return out.reshape(-1).numpy().astype(np.float32), float(loss_fn(y, out))


def write_f32(directory, name, array):
    path = os.path.join(directory, name)
    np.ascontiguousarray(array, dtype="<f4").tofile(path)
    return name


def short_run(spec, job, data):
    """A fixed budget of pairs, then scores for the bench's validation and test pairs (it computes metrics)."""
    recipe = job["recipe"]
    images, labels = data["train"]
    model = Siamese(recipe, spec["seed"])
    model.train()
    optimizer = make_optimizer(recipe, model.parameters())
    loss_fn = make_loss(recipe)
    stream = PairStream(index_by_class(labels), job["pairs"], job["pairSeed"])
    started = time.perf_counter()
    steps = math.ceil(job["pairs"] / recipe["batchSize"])
    for _ in range(steps):
        a, b, same = stream.batch(recipe["batchSize"])
        y = torch.from_numpy(same.astype(np.float32)).reshape(-1, 1)
        loss = train_step(model, optimizer, loss_fn, pair_batch(images, a, b), y)
        if not math.isfinite(loss):
            raise RuntimeError(f"{job['variant']}: loss became {loss}")
    seconds = time.perf_counter() - started - stream.sampling_seconds

    out_dir = spec["outDir"]
    val_images, val_labels = data["validation"]
    test_images, test_labels = data["test"]
    val_images, test_images = val_images[: job["validationImages"]], test_images[: job["testImages"]]
    val_pairs = sample_pairs(index_by_class(val_labels[: job["validationImages"]]), job["validationPairs"], Mulberry32(job["validationSeed"]))
    test_pairs = sample_pairs(index_by_class(test_labels[: job["testImages"]]), job["testPairs"], Mulberry32(job["testSeed"]))
    val_scores, val_loss = score(model, embed(model, val_images), val_pairs, loss_fn)
    test_embeddings = embed(model, test_images)
    test_scores, test_loss = score(model, test_embeddings, test_pairs, loss_fn)
    prefix = f"peer-{job['variant']}"
    return {
        "kind": "short-run",
        "variant": job["variant"],
        "trainSeconds": seconds,
        "validationDigest": pairs_digest(val_pairs),
        "testDigest": pairs_digest(test_pairs),
        "validationScores": write_f32(out_dir, f"{prefix}-val-scores.f32", val_scores),
        "validationLoss": val_loss,
        "testScores": write_f32(out_dir, f"{prefix}-test-scores.f32", test_scores),
        "testLoss": test_loss,
        "episodeSimilarities": write_f32(
            out_dir, f"{prefix}-episode-similarities.f32", episode_similarities(model, test_embeddings, job["episodes"])
        ),
    }


def episode_similarities(model, embeddings, episodes):
    """Similarity of every query to every support of the bench's one-shot episodes (it draws them and scores).

    Negative distance for a distance head, the logit for an MLP head, as embeddingSimilarity in evaluate.ts.
    """
    queries = np.fromfile(episodes["queries"], dtype="<i4").reshape(episodes["count"], -1)
    supports = np.fromfile(episodes["supports"], dtype="<i4").reshape(episodes["count"], -1)
    out = []
    with torch.no_grad():
        for q, s in zip(queries, supports):
            a = embeddings[torch.from_numpy(q).long()].repeat_interleave(len(s), dim=0)
            b = embeddings[torch.from_numpy(s).long()].repeat(len(q), 1)
            mlp = model.polarity == "higher-is-same"
            sim = (model.head(a, b) if mlp else -distance_head(a, b)).reshape(-1)
            out.append(sim.numpy())
    return np.concatenate(out)


def choose_threshold_accuracy(scores, same, polarity):
    """Best accuracy over all thresholds on these pairs (chooseThreshold in metrics/threshold.ts)."""
    sim = -scores if polarity == "lower-is-same" else scores
    order = np.argsort(-sim, kind="stable")
    s = sim[order]
    y = same[order].astype(np.int64)
    # Predict "same" for the first k pairs: correct = positives among them + negatives after them.
    correct = np.concatenate([[0], np.cumsum(2 * y - 1)]) + (len(y) - y.sum())
    # Only cut between distinct scores.
    valid = np.concatenate([[True], s[:-1] != s[1:], [True]])
    return float(correct[valid].max() / len(y))


def time_to_accuracy(spec, job, data):
    recipe = job["recipe"]
    images, labels = data["train"]
    val_images, val_labels = data["validation"]
    val_pairs = sample_pairs(index_by_class(val_labels), job["validationPairs"], Mulberry32(job["validationSeed"]))
    model = Siamese(recipe, spec["seed"])
    optimizer = make_optimizer(recipe, model.parameters())
    loss_fn = make_loss(recipe)
    stream = PairStream(index_by_class(labels), job["pairsPerEpoch"], job["pairSeed"])
    same_val = val_pairs[2]
    curve = []
    started = time.perf_counter()
    eval_seconds = 0.0
    pairs_seen = 0
    next_eval = job["evalEveryPairs"]
    reached = None
    while True:
        model.train()
        a, b, same = stream.batch(recipe["batchSize"])
        y = torch.from_numpy(same.astype(np.float32)).reshape(-1, 1)
        train_step(model, optimizer, loss_fn, pair_batch(images, a, b), y)
        pairs_seen += len(same)
        if pairs_seen >= next_eval:
            next_eval += job["evalEveryPairs"]
            eval_started = time.perf_counter()
            scores, _ = score(model, embed(model, val_images), val_pairs, loss_fn)
            accuracy = choose_threshold_accuracy(scores, same_val, model.polarity)
            now = time.perf_counter()
            eval_seconds += now - eval_started
            seconds = now - started - eval_seconds - stream.sampling_seconds
            curve.append({"pairs": pairs_seen, "seconds": seconds, "accuracy": accuracy})
            log(f"tta {job['threads']} thread(s): {pairs_seen} pairs, {seconds:.1f} s, val acc {100 * accuracy:.2f}%")
            if accuracy >= job["target"]:
                reached = curve[-1]
                break
            if now - started >= job["capSeconds"]:
                break
    return {
        "kind": "tta",
        "reached": reached is not None,
        "seconds": reached["seconds"] if reached else None,
        "pairs": reached["pairs"] if reached else None,
        "wallSeconds": time.perf_counter() - started,
        "curve": curve,
        "validationDigest": pairs_digest(val_pairs),
    }


def main():
    """SPEC.json OUT.json: run the spec's jobs, write their results. SPEC.json --serve: throughput on request."""
    spec_path, target = sys.argv[1:3]
    with open(spec_path) as f:
        spec = json.load(f)
    threads = spec["threads"]
    torch.set_num_threads(threads)
    torch.set_num_interop_threads(1)
    data = {name: load_split(spec["dataDir"], name) for name in ("train", "validation", "test")}
    if target == "--serve":
        serve(spec, data)
        return
    results = []
    for job in spec["jobs"]:
        job = {**job, "threads": threads}
        log(f"{job['kind']} {job.get('variant', '')} at {threads} thread(s)")
        run = {"short-run": short_run, "tta": time_to_accuracy}[job["kind"]]
        results.append(run(spec, job, data))
    with open(target, "w") as f:
        json.dump({**finish(spec, data), "results": results}, f)


if __name__ == "__main__":
    main()
