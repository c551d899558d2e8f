#!/usr/bin/env python3
"""Write two small OCI image layouts to push with skopeo: `make-images.py IMAGE_DIR INDEX_DIR`.

IMAGE_DIR gets one linux/amd64 image tagged `latest` (a tiny config and one gzip layer); INDEX_DIR gets an image
index tagged `latest` over a linux/amd64 and a linux/arm64 image. Standard library only; the output is the same on
every run.
"""
import gzip, hashlib, io, json, sys, tarfile
from pathlib import Path

MTIME = 1450828800


def dumps(obj) -> bytes:
    return json.dumps(obj, separators=(",", ":")).encode()


def digest(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def layer(text: str) -> tuple[bytes, bytes]:
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.USTAR_FORMAT) as tar:
        data = text.encode()
        info = tarfile.TarInfo("hello.txt")
        info.size, info.mtime, info.mode = len(data), MTIME, 0o644
        tar.addfile(info, io.BytesIO(data))
    gz = io.BytesIO()
    with gzip.GzipFile(filename="", fileobj=gz, mode="wb", mtime=MTIME) as f:
        f.write(raw.getvalue())
    return gz.getvalue(), raw.getvalue()


def image(arch: str) -> tuple[dict, list[bytes]]:
    """The manifest's descriptor and the blobs (manifest, config, layer) of one image."""
    gz, tar = layer(f"hello from {arch}\n")
    config = dumps({"architecture": arch, "os": "linux", "config": {"Cmd": ["/hello"]},
                    "rootfs": {"type": "layers", "diff_ids": [digest(tar)]}})
    manifest = dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                      "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                                 "digest": digest(config), "size": len(config)},
                      "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip",
                                  "digest": digest(gz), "size": len(gz)}]})
    descriptor = {"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": digest(manifest),
                  "size": len(manifest), "platform": {"architecture": arch, "os": "linux"}}
    return descriptor, [manifest, config, gz]


def write_layout(path: Path, top: dict, blobs: list[bytes]) -> None:
    (path / "blobs" / "sha256").mkdir(parents=True, exist_ok=True)
    (path / "oci-layout").write_bytes(dumps({"imageLayoutVersion": "1.0.0"}))
    for blob in blobs:
        (path / "blobs" / "sha256" / digest(blob).split(":")[1]).write_bytes(blob)
    top = {k: v for k, v in top.items() if k != "platform"}
    top["annotations"] = {"org.opencontainers.image.ref.name": "latest"}
    (path / "index.json").write_bytes(dumps({"schemaVersion": 2, "manifests": [top]}))


def main() -> None:
    if len(sys.argv) != 3:
        sys.exit("usage: make-images.py IMAGE_DIR INDEX_DIR")
    single, single_blobs = image("amd64")
    write_layout(Path(sys.argv[1]), single, single_blobs)
    amd, amd_blobs = single, single_blobs
    arm, arm_blobs = image("arm64")
    index = dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
                   "manifests": [amd, arm]})
    top = {"mediaType": "application/vnd.oci.image.index.v1+json", "digest": digest(index), "size": len(index)}
    write_layout(Path(sys.argv[2]), top, [index] + amd_blobs + arm_blobs)


if __name__ == "__main__":
    main()
