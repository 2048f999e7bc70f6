#!/usr/bin/env python3
"""Check a frontend image index the way BuildKit and a user will meet it.

    tests/frontend_image.py registry HOST REPO TAG... [options]
    tests/frontend_image.py oci DIR [options]

The image (an index in a registry under several tags, or an OCI layout
directory as `buildx --output type=oci,tar=false` writes it) must be an index
with one image per --platform (attestation manifests beside them are
allowed, and checked to point at one of them); each image's config must name
its platform, carry the frontend labels and the version, revision and source
labels, and run /bin/gofront; its one layer must hold bin/gofront, a static
ELF binary for the platform's machine. Every tag must name the same index.

With --out DIR each binary is written to DIR/<os>_<arch>/gofront. Prints one
line per platform (config digest, layer and binary size) and, with --json
FILE, writes the same as JSON. Exit status 1 with every failure listed.
"""

import argparse
import gzip
import hashlib
import io
import json
import os
import struct
import sys
import tarfile
import urllib.request

INDEX_TYPES = {
    "application/vnd.oci.image.index.v1+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
}
ACCEPT = ",".join(
    sorted(INDEX_TYPES)
    + [
        "application/vnd.oci.image.manifest.v1+json",
        "application/vnd.docker.distribution.manifest.v2+json",
    ]
)
# ELF e_machine per GOARCH-style architecture name.
ELF_MACHINE = {"amd64": 62, "arm64": 183, "riscv64": 243, "ppc64le": 21, "s390x": 22}
FRONTEND_CAPS = "moby.buildkit.frontend.caps"


class Registry:
    def __init__(self, host, repo):
        self.base = f"http://{host}/v2/{repo}"

    def _get(self, path, accept=None):
        req = urllib.request.Request(self.base + path)
        if accept:
            req.add_header("Accept", accept)
        with urllib.request.urlopen(req, timeout=30) as resp:
            return resp.read(), resp.headers.get("Docker-Content-Digest")

    def manifest(self, ref):
        data, digest = self._get(f"/manifests/{ref}", ACCEPT)
        return data, digest or "sha256:" + hashlib.sha256(data).hexdigest()

    def blob(self, digest):
        return self._get(f"/blobs/{digest}")[0]

    def image_manifest(self, digest):
        # A registry serves manifests on their own endpoint, not as blobs.
        return self.manifest(digest)[0]


class Layout:
    """An OCI image layout directory: index.json names the image index."""

    def __init__(self, path):
        self.path = path

    def blob(self, digest):
        algo, hexdigest = digest.split(":", 1)
        with open(os.path.join(self.path, "blobs", algo, hexdigest), "rb") as f:
            data = f.read()
        if hashlib.sha256(data).hexdigest() != hexdigest:
            raise ValueError(f"blob {digest} does not match its digest")
        return data

    def image_manifest(self, digest):
        return self.blob(digest)

    def root(self):
        with open(os.path.join(self.path, "index.json"), "rb") as f:
            top = json.load(f)
        # buildx writes the image's index as the layout's only manifest.
        (desc,) = top["manifests"]
        return self.blob(desc["digest"]), desc["digest"]


def elf_facts(data):
    """(e_machine, has a program interpreter) of a 64-bit little/big-endian ELF."""
    if data[:4] != b"\x7fELF" or data[4] != 2:
        raise ValueError("not a 64-bit ELF file")
    end = "<" if data[5] == 1 else ">"
    machine = struct.unpack_from(end + "H", data, 18)[0]
    phoff = struct.unpack_from(end + "Q", data, 32)[0]
    phentsize, phnum = struct.unpack_from(end + "HH", data, 54)
    interp = any(
        struct.unpack_from(end + "I", data, phoff + i * phentsize)[0] == 3
        for i in range(phnum)
    )
    return machine, interp


def layer_files(blob, media_type):
    raw = gzip.decompress(blob) if "gzip" in media_type else blob
    with tarfile.open(fileobj=io.BytesIO(raw)) as tar:
        return {
            m.name.lstrip("./"): (m, tar.extractfile(m).read() if m.isfile() else None)
            for m in tar.getmembers()
        }


def check(store, index_bytes, args, fail):
    index = json.loads(index_bytes)
    if index.get("mediaType") not in INDEX_TYPES and "manifests" not in index:
        fail(f"not an image index: {index.get('mediaType')}")
        return []
    images, attestations = {}, []
    for desc in index["manifests"]:
        ann = desc.get("annotations", {})
        if ann.get("vnd.docker.reference.type") == "attestation-manifest":
            attestations.append(desc)
            continue
        p = desc.get("platform", {})
        key = "/".join(x for x in (p.get("os"), p.get("architecture"), p.get("variant")) if x)
        if key in images:
            fail(f"two images for {key}")
        images[key] = desc
    if sorted(images) != sorted(args.platform):
        fail(f"index platforms {sorted(images)}, expected {sorted(args.platform)}")
    digests = {d["digest"] for d in images.values()}
    for att in attestations:
        ref = att.get("annotations", {}).get("vnd.docker.reference.digest")
        if ref not in digests:
            fail(f"attestation manifest {att['digest']} points at {ref}, not at an image")
    if args.provenance and len(attestations) != len(images):
        fail(f"{len(attestations)} attestation manifests for {len(images)} images")

    results = []
    for key, desc in sorted(images.items()):
        os_, arch = key.split("/")[:2]
        manifest = json.loads(store.image_manifest(desc["digest"]))
        config = json.loads(store.blob(manifest["config"]["digest"]))
        where = f"{key} ({desc['digest'][:19]})"
        if (config.get("os"), config.get("architecture")) != (os_, arch):
            fail(f"{where}: config says {config.get('os')}/{config.get('architecture')}")
        cfg = config.get("config", {})
        labels = cfg.get("Labels") or {}
        if cfg.get("Entrypoint") != ["/bin/gofront"]:
            fail(f"{where}: entrypoint {cfg.get('Entrypoint')}")
        want = {
            "org.opencontainers.image.version": args.version,
            "org.opencontainers.image.revision": args.revision,
            "org.opencontainers.image.source": args.source,
            "moby.buildkit.frontend.network.none": "true",
        }
        for label, value in want.items():
            if value is not None and labels.get(label) != value:
                fail(f"{where}: label {label}={labels.get(label)!r}, expected {value!r}")
        if "moby.buildkit.frontend.contexts" not in labels.get(FRONTEND_CAPS, ""):
            fail(f"{where}: label {FRONTEND_CAPS} lacks the contexts cap")
        layers = manifest.get("layers", [])
        if len(layers) != 1:
            fail(f"{where}: {len(layers)} layers, expected the binary's one")
            continue
        files = layer_files(store.blob(layers[0]["digest"]), layers[0]["mediaType"])
        regular = sorted(n for n, (m, _) in files.items() if m.isfile())
        if regular != ["bin/gofront"]:
            fail(f"{where}: the layer's files are {regular}, expected bin/gofront only")
            continue
        member, binary = files["bin/gofront"]
        if not member.mode & 0o111:
            fail(f"{where}: bin/gofront is not executable ({oct(member.mode)})")
        try:
            machine, interp = elf_facts(binary)
        except ValueError as e:
            fail(f"{where}: bin/gofront: {e}")
            continue
        if machine != ELF_MACHINE.get(arch):
            fail(f"{where}: bin/gofront is for ELF machine {machine}, expected {ELF_MACHINE.get(arch)}")
        if interp:
            fail(f"{where}: bin/gofront is dynamically linked")
        if args.out:
            path = os.path.join(args.out, f"{os_}_{arch}", "gofront")
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "wb") as f:
                f.write(binary)
            os.chmod(path, 0o755)
        results.append(
            {
                "platform": key,
                "manifest": desc["digest"],
                "config": manifest["config"]["digest"],
                "layer_bytes": layers[0]["size"],
                "binary_bytes": len(binary),
            }
        )
    return results


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("kind", choices=["registry", "oci"])
    ap.add_argument("where", nargs="+", help="HOST REPO TAG... | DIR")
    ap.add_argument("--platform", action="append", required=True)
    ap.add_argument("--version")
    ap.add_argument("--revision")
    ap.add_argument("--source")
    ap.add_argument("--provenance", action="store_true", help="one attestation manifest per image")
    ap.add_argument("--out")
    ap.add_argument("--json")
    args = ap.parse_args()

    failures = []
    fail = failures.append
    if args.kind == "registry":
        if len(args.where) < 3:
            ap.error("registry needs HOST REPO TAG...")
        host, repo, *tags = args.where
        store = Registry(host, repo)
        found = {tag: store.manifest(tag) for tag in tags}
        index_bytes, digest = found[tags[0]]
        for tag, (_, d) in found.items():
            if d != digest:
                fail(f"tag {tag} is {d}, {tags[0]} is {digest}")
        name = f"{host}/{repo}@{digest}"
    else:
        (path,) = args.where
        store = Layout(path)
        index_bytes, digest = store.root()
        name = f"{path} ({digest})"

    results = check(store, index_bytes, args, fail)
    for r in results:
        print(
            f"{r['platform']:<14} config {r['config'][:19]}  layer {r['layer_bytes']:>9} B"
            f"  bin/gofront {r['binary_bytes']:>9} B"
        )
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"index": digest, "images": results}, f, indent=2)
    if failures:
        for f in failures:
            print(f"FAIL {name}: {f}", file=sys.stderr)
        return 1
    print(f"ok   {name}: {len(results)} platforms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
