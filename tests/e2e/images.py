"""Deterministic OCI images and OCI image layouts for the end-to-end tests.

Every image is built from seeded random bytes, so the same seed always gives the same
layers, config, manifest and digests. JSON documents are serialised the way Go's
encoding/json writes the OCI structs (fields in struct order, no spaces): skopeo
re-serialises some documents (an index copied with --all), and the tests compare
bytes, so ours must already be in that canonical form.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import random
import tarfile
from dataclasses import dataclass, field
from pathlib import Path

OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"
OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
OCI_LAYER_GZIP = "application/vnd.oci.image.layer.v1.tar+gzip"
DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"
DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json"
DOCKER_CONFIG = "application/vnd.docker.container.image.v1+json"
DOCKER_LAYER_GZIP = "application/vnd.docker.image.rootfs.diff.tar.gzip"

REF_NAME = "org.opencontainers.image.ref.name"

# Fixed timestamps: the tar entries and gzip headers carry FIXED_MTIME.
FIXED_MTIME = 1450828800  # 2015-12-23T00:00:00Z
CREATED = "2015-12-23T10:00:00Z"


def go_json(obj) -> bytes:
    """Compact JSON as Go's json.Marshal writes it for ASCII content."""
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def sha256_digest(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class Blob:
    media_type: str
    data: bytes

    @property
    def digest(self) -> str:
        return sha256_digest(self.data)

    @property
    def size(self) -> int:
        return len(self.data)

    def descriptor(self) -> dict:
        return {"mediaType": self.media_type, "digest": self.digest, "size": self.size}


@dataclass
class Image:
    """One platform image: manifest + config + layers (layers may repeat, as in real images)."""

    manifest: bytes
    config: bytes
    layers: list[Blob]
    architecture: str
    os: str = "linux"

    @property
    def digest(self) -> str:
        return sha256_digest(self.manifest)

    @property
    def config_digest(self) -> str:
        return sha256_digest(self.config)

    @property
    def manifest_json(self) -> dict:
        return json.loads(self.manifest)

    @property
    def config_json(self) -> dict:
        return json.loads(self.config)

    def blobs(self) -> list[Blob]:
        """Config and the distinct layers."""
        out = [Blob(OCI_CONFIG, self.config)]
        seen = set()
        for layer in self.layers:
            if layer.digest not in seen:
                seen.add(layer.digest)
                out.append(layer)
        return out

    def descriptor(self) -> dict:
        return {"mediaType": OCI_MANIFEST, "digest": self.digest, "size": len(self.manifest)}


@dataclass
class Index:
    """An OCI image index over several platform images."""

    manifest: bytes
    images: list[Image] = field(default_factory=list)

    @property
    def digest(self) -> str:
        return sha256_digest(self.manifest)


def tar_gz(files: dict[str, bytes]) -> tuple[bytes, bytes]:
    """A gzip-compressed tar of `files`; returns (compressed, uncompressed)."""
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.USTAR_FORMAT) as tar:
        dirs = sorted({str(Path(name).parent) for name in files} - {"."})
        for d in dirs:
            info = tarfile.TarInfo(d + "/")
            info.type = tarfile.DIRTYPE
            info.mode = 0o755
            info.mtime = FIXED_MTIME
            tar.addfile(info)
        for name in sorted(files):
            info = tarfile.TarInfo(name)
            info.size = len(files[name])
            info.mode = 0o644
            info.mtime = FIXED_MTIME
            tar.addfile(info, io.BytesIO(files[name]))
    uncompressed = raw.getvalue()
    compressed = io.BytesIO()
    with gzip.GzipFile(filename="", fileobj=compressed, mode="wb", mtime=FIXED_MTIME) as gz:
        gz.write(uncompressed)
    return compressed.getvalue(), uncompressed


def build_image(seed: int, architecture: str = "amd64", os: str = "linux") -> Image:
    """A small runnable-looking image: a base layer, an empty layer, an app layer, the empty layer again.

    The repeated empty layer makes "sum of distinct layer sizes" observable.
    """
    rng = random.Random(seed)
    base_gz, base_tar = tar_gz({
        "etc/os-release": f"NAME=wharf-e2e\nID=wharf\nSEED={seed}\n".encode(),
        "usr/lib/base.bin": rng.randbytes(8192),
    })
    empty_gz, empty_tar = tar_gz({})
    app_gz, app_tar = tar_gz({
        "opt/app-root/src/app.bin": rng.randbytes(4096 + rng.randrange(4096)),
        "opt/app-root/src/config.ru": b"run lambda { |env| [200, {}, ['hello']] }\n",
    })
    layers = [
        Blob(OCI_LAYER_GZIP, base_gz),
        Blob(OCI_LAYER_GZIP, empty_gz),
        Blob(OCI_LAYER_GZIP, app_gz),
        Blob(OCI_LAYER_GZIP, empty_gz),
    ]
    diff_ids = [sha256_digest(t) for t in (base_tar, empty_tar, app_tar, empty_tar)]

    # Field order follows image-spec's Go structs (v1.Image, v1.ImageConfig, v1.RootFS, v1.History).
    config = {
        "created": CREATED,
        "author": "Wharf e2e",
        "architecture": architecture,
        "os": os,
        "config": {
            "User": "1001",
            "ExposedPorts": {"8080/tcp": {}},
            "Env": [
                "PATH=/opt/app-root/src/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                "HOME=/opt/app-root/src",
                f"WHARF_E2E_SEED={seed}",
            ],
            "Entrypoint": ["container-entrypoint"],
            "Cmd": ["/usr/libexec/s2i/run"],
            "WorkingDir": "/opt/app-root/src",
            "Labels": {
                "build-date": "2015-12-23",
                "io.k8s.display-name": "origin-ruby-sample",
                "vendor": "Wharf",
            },
        },
        "rootfs": {"type": "layers", "diff_ids": diff_ids},
        "history": [
            {"created": CREATED, "created_by": "/bin/sh -c #(nop) ADD base"},
            {"created": CREATED, "created_by": "/bin/sh -c #(nop) LABEL build-date=2015-12-23"},
            {"created": CREATED, "created_by": "/bin/sh -c #(nop) COPY app /opt/app-root/src"},
            {"created": CREATED, "created_by": "/bin/sh -c #(nop) USER 1001"},
        ],
    }
    config_bytes = go_json(config)
    manifest = {
        "schemaVersion": 2,
        "mediaType": OCI_MANIFEST,
        "config": {"mediaType": OCI_CONFIG, "digest": sha256_digest(config_bytes), "size": len(config_bytes)},
        "layers": [layer.descriptor() for layer in layers],
    }
    return Image(manifest=go_json(manifest), config=config_bytes, layers=layers, architecture=architecture, os=os)


def build_index(seed: int) -> Index:
    """Two platform images (amd64, arm64) under one OCI index."""
    images = [build_image(seed, "amd64"), build_image(seed + 1, "arm64")]
    index = {
        "schemaVersion": 2,
        "mediaType": OCI_INDEX,
        "manifests": [
            {**img.descriptor(), "platform": {"architecture": img.architecture, "os": img.os}}
            for img in images
        ],
    }
    return Index(manifest=go_json(index), images=images)


# ---------------------------------------------------------------------------------------------
# OCI image layouts on disk


def _write_blob(layout: Path, data: bytes) -> None:
    algorithm, hex_ = sha256_digest(data).split(":")
    path = layout / "blobs" / algorithm / hex_
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def _write_layout(layout: Path, blobs: list[bytes], top: dict, tag: str) -> Path:
    layout.mkdir(parents=True, exist_ok=True)
    (layout / "oci-layout").write_bytes(go_json({"imageLayoutVersion": "1.0.0"}))
    for data in blobs:
        _write_blob(layout, data)
    index = {"schemaVersion": 2, "manifests": [{**top, "annotations": {REF_NAME: tag}}]}
    (layout / "index.json").write_bytes(go_json(index))
    return layout


def write_image_layout(layout: Path, image: Image, tag: str = "latest") -> Path:
    blobs = [image.manifest] + [b.data for b in image.blobs()]
    return _write_layout(layout, blobs, image.descriptor(), tag)


def write_index_layout(layout: Path, index: Index, tag: str = "latest") -> Path:
    blobs = [index.manifest]
    for image in index.images:
        blobs += [image.manifest] + [b.data for b in image.blobs()]
    top = {"mediaType": OCI_INDEX, "digest": index.digest, "size": len(index.manifest)}
    return _write_layout(layout, blobs, top, tag)


# ---------------------------------------------------------------------------------------------
# Reading layouts that skopeo wrote


class Layout:
    """Read access to an OCI image layout directory."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.index = json.loads((self.path / "index.json").read_bytes())

    def blob(self, digest: str) -> bytes:
        algorithm, hex_ = digest.split(":", 1)
        data = (self.path / "blobs" / algorithm / hex_).read_bytes()
        assert sha256_digest(data) == digest, f"blob {digest} in {self.path} does not match its digest"
        return data

    def descriptor(self, tag: str | None = "latest") -> dict:
        """The index.json entry for `tag`; with tag=None, the only entry."""
        entries = self.index["manifests"]
        if tag is None:
            assert len(entries) == 1, f"expected one entry in {self.path}/index.json: {entries}"
            return entries[0]
        matches = [d for d in entries if d.get("annotations", {}).get(REF_NAME) == tag]
        assert len(matches) == 1, f"expected one entry tagged {tag!r} in {self.path}/index.json: {entries}"
        return matches[0]

    def top(self, tag: str | None = "latest") -> bytes:
        """The bytes of the manifest or index that `tag` points at."""
        return self.blob(self.descriptor(tag)["digest"])
