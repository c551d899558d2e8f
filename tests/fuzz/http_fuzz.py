#!/usr/bin/env python3
"""An HTTP fuzzer for a running wharfd: malformed requests of every kind, and the server must stay well.

Starts the wharfd given by $WHARFD (or --wharfd) on a free loopback port with a temporary data directory, logs in as
the admin whose token the first start writes, pushes one small image, and then sends a bounded, seeded set of
requests over raw sockets: broken framing, odd methods and headers, huge, negative and overflowing numbers in every
query parameter of /v2/ and /apis/, bodies of every Content-Type (YAML and JSON bombs, deep nesting, duplicate keys,
wrong shapes), patches, ranges, chunk sizes, digests, references and selectors, followed by seeded random mutations
of all of these, and every input kept in the corpus (tests/fuzz/corpus/http, replayed first).

A request fails when the server answers 5xx, crashes (the process is gone), takes more than 5 s to answer or close
the connection, answers an error body larger than 1 MiB, or when the server's RSS has grown more than 64 MiB over
its size after warm-up. After a crash, a hang or an RSS failure the server is restarted on the same data, so that
one defect neither hides the others nor is blamed on the next request. Each new failing input is written to the
corpus. Exit status 0 when nothing failed, 1 otherwise, after a summary line "N passed, N failed".

    WHARFD=.build/debug/wharfd tests/fuzz/http_fuzz.py [--seed 1] [--random 300] [--only SUBSTRING] [--no-write]
"""
from __future__ import annotations

import argparse
import base64
import hashlib
import http.client
import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
CORPUS = HERE / "corpus" / "http"
HANG_SECONDS = 5.0
RSS_GROWTH_MIB = 64
MAX_ERROR_BODY = 1 << 20
STARTUP_SECONDS = 60.0
MiB = 1 << 20

API = "/apis/image.openshift.io/v1"
NS = f"{API}/namespaces/fuzz"
REPO = "fuzz/ruby"
ZERO_DIGEST = "sha256:" + "0" * 64


# ----------------------------------------------------------------------------------------------------------------
# Cases
# ----------------------------------------------------------------------------------------------------------------

@dataclass
class Case:
    """One request, as the bytes sent. `@HOST@`, `@AUTH@`, `@UPLOAD@` (the path of a fresh upload session), `@DIGEST@`
    (the pushed manifest's digest) and `@BLOB@` (its layer's) are filled in when it is sent."""
    name: str
    raw: bytes
    half_close: bool = False  # shut the write side after sending: a client that stops short
    stream: bool = False  # a watch: the answer is complete with its status line and headers

    @property
    def flags(self) -> str:
        return "".join([".half-close" if self.half_close else "", ".stream" if self.stream else ""])


def build(method: str, path: str, headers: list[tuple[str, str]] | None = None, body: bytes = b"", *, auth: bool = True,
          length: bool = True, host: bool = True, version: str = "HTTP/1.1") -> bytes:
    """A request with Host, Authorization, Content-Length (unless given or `length` is false) and Connection: close."""
    headers = list(headers or [])
    names = {name.lower() for name, _ in headers}
    lines = [f"{method} {path} {version}"]
    if host:
        lines.append("Host: @HOST@")
    if auth:
        lines.append("Authorization: @AUTH@")
    lines += [f"{name}: {value}" for name, value in headers]
    if length and body and "content-length" not in names and "transfer-encoding" not in names:
        lines.append(f"Content-Length: {len(body)}")
    if "connection" not in names:
        lines.append("Connection: close")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("utf-8", "surrogateescape") + body


def case(name: str, method: str, path: str, headers=None, body: bytes | str = b"", **kwargs) -> Case:
    flags = {k: kwargs.pop(k) for k in ("half_close", "stream") if k in kwargs}
    if isinstance(body, str):
        body = body.encode()
    return Case(name, build(method, path, headers, body, **kwargs), **flags)


NUMBERS = ["-1", "0", "-0", "1.5", "1e3", "0x10", "NaN", "inf", "", " ", "+1", "1_000", "\uff11",
           "9223372036854775807", "9223372036854775808", "-9223372036854775809", "18446744073709551616",
           "99999999999999999999", "1" * 400]
DURATIONS = ["99999999999999999999s", "2562047788015216h", "153722867280912931m", "9223372036854775807s", "1e309s",
             "-1s", "1.5h", "..s", "1", "s", "1h1h1h", "0.0000001s", "1" * 1000 + "s", "9" * 400 + "h", "1.7976931348623157e308s"]
SELECTORS = ["a in (", "!", "a,,b", "a=b=c", "a notin ()", "(" * 2000, "=", "a in (" + "x," * 5000 + "x)", "!=", "a==",
             "a!=b,c=d,!e,f in (g),h notin (i)", "metadata.name=", "metadata.name=ruby,metadata.namespace!=x",
             "spec.unknown=1", "a" * 70000, "metadata.name" + "=x" * 2000, "%ff", "\u00e9=\u00e9"]
STRINGS = ["%00", "%0d%0aX-Injected:%201", "%ff%fe", "..%2f..%2f", "a" * 70000, "\u00e9\u2028", "*", "null",
           "sha256:" + "A" * 64, "%", "%zz"]


def encode(value: str) -> str:
    """Query values go out as given, except the characters that would break the request line."""
    return value.replace(" ", "%20").replace("#", "%23").replace("&", "%26").replace("\r", "%0d").replace("\n", "%0a")


def query_cases() -> list[Case]:
    """Every query parameter of /v2/ and /apis/, with numbers, durations, selectors and hostile strings."""
    lists = [f"{API}/imagestreams", f"{NS}/imagestreams", f"{API}/images", f"{NS}/imagestreamtags", f"{NS}/imagetags",
             "/apis/rbac.authorization.k8s.io/v1/roles", "/apis/wharf.dev/v1/tokens"]
    params = {
        "limit": NUMBERS, "continue": STRINGS + NUMBERS[:6], "labelSelector": SELECTORS, "fieldSelector": SELECTORS,
        "resourceVersion": NUMBERS + ["abc"], "resourceVersionMatch": ["NotOlderThan", "Exact", "x"],
        "timeoutSeconds": NUMBERS, "fieldValidation": ["Strict", "Warn", "Ignore", "x" * 5000], "pretty": ["true", "1"],
    }
    nastiest = ["-1", "9223372036854775807", "99999999999999999999", "a in (", "%00"]
    cases = []
    for path in lists:
        for param, values in params.items():
            # Every value on the image stream lists; the nastiest on the others, to keep the run short.
            for i, value in enumerate(values if "imagestreams" in path else nastiest):
                cases.append(case(f"list-{param}-{i}{path.replace('/', '_')}", "GET", f"{path}?{param}={encode(value)}"))
    # Watches: these stream, so only their status and headers are waited for; the timeout trap shows as a crash.
    for path in [f"{API}/imagestreams", f"{NS}/imagestreams", f"{API}/images"]:
        for i, value in enumerate(DURATIONS):
            cases.append(case(f"watch-timeout-{i}{path.replace('/', '_')}", "GET", f"{path}?watch=true&timeout={encode(value)}", stream=True))
        if path != f"{NS}/imagestreams":
            continue
        for i, value in enumerate(NUMBERS):
            cases.append(case(f"watch-timeoutSeconds-{i}{path.replace('/', '_')}", "GET",
                              f"{path}?watch=true&timeoutSeconds={encode(value)}", stream=True))
        for i, value in enumerate(NUMBERS + ["abc"]):
            cases.append(case(f"watch-resourceVersion-{i}{path.replace('/', '_')}", "GET",
                              f"{path}?watch=1&timeoutSeconds=1&resourceVersion={encode(value)}&allowWatchBookmarks=true", stream=True))
    cases.append(case("watch-legacy-path", "GET", f"{API}/watch/namespaces/fuzz/imagestreams?timeout=99999999999999999999s", stream=True))
    oci = {"/v2/_catalog": ["n", "last"], f"/v2/{REPO}/tags/list": ["n", "last"],
           f"/v2/{REPO}/referrers/@DIGEST@": ["artifactType"]}
    for path, names in oci.items():
        for param in names:
            for i, value in enumerate(NUMBERS + STRINGS):
                cases.append(case(f"oci-{param}-{i}{path.replace('/', '_').replace('@', '')}", "GET", f"{path}?{param}={encode(value)}"))
    for i, value in enumerate(STRINGS + ["sha256:" + "0" * 63, "sha512:" + "0" * 128, "md5:00"]):
        cases.append(case(f"upload-digest-{i}", "POST", f"/v2/{REPO}/blobs/uploads/?digest={encode(value)}", body=b"x"))
        cases.append(case(f"upload-mount-{i}", "POST", f"/v2/{REPO}/blobs/uploads/?mount={encode(value)}&from=fuzz/ruby"))
        cases.append(case(f"upload-from-{i}", "POST", f"/v2/{REPO}/blobs/uploads/?mount=@BLOB@&from={encode(value)}"))
        cases.append(case(f"upload-put-digest-{i}", "PUT", f"@UPLOAD@?digest={encode(value)}", body=b"x"))
    return cases


def path_cases() -> list[Case]:
    """Digests, references, names and resource paths in the URL."""
    refs = ["sha256:" + "A" * 64, "sha256:short", "sha512:" + "0" * 64, "md5:" + "0" * 32, ":", "sha256:", "a" * 129, "%2e%2e",
            "latest%00", "la%20test", "-latest", ".latest", "sha256:" + "0" * 64 + "%00", "%ff", "sha256%3a" + "0" * 64, "a:b:c"]
    names = ["a/b/c", "UPPER/x", "-a/b", "a" * 64 + "/b", "fuzz/ruby%2Fx", "fuzz/%2e%2e", "fuzz//ruby", "/fuzz", "fuzz", "f" * 5000 + "/x",
             "fuzz/ruby/../ruby"]
    cases = []
    for i, ref in enumerate(refs):
        for method in ["GET", "HEAD", "DELETE"]:
            cases.append(case(f"manifest-ref-{method}-{i}", method, f"/v2/{REPO}/manifests/{ref}"))
            cases.append(case(f"blob-digest-{method}-{i}", method, f"/v2/{REPO}/blobs/{ref}"))
        cases.append(case(f"manifest-ref-PUT-{i}", "PUT", f"/v2/{REPO}/manifests/{ref}", [("Content-Type", "application/vnd.oci.image.manifest.v1+json")], "{}"))
        cases.append(case(f"referrers-{i}", "GET", f"/v2/{REPO}/referrers/{ref}"))
        cases.append(case(f"upload-uuid-{i}", "PATCH", f"/v2/{REPO}/blobs/uploads/{ref}", body=b"x"))
        for resource in ["imagestreamtags", "imagestreamimages", "imagetags", "imagestreams"]:
            cases.append(case(f"api-name-{resource}-{i}", "GET", f"{NS}/{resource}/ruby{'@' if 'images' in resource else ':'}{ref}"))
        cases.append(case(f"api-image-{i}", "GET", f"{API}/images/{ref}"))
    for i, name in enumerate(names):
        for suffix in ["tags/list", "manifests/latest", "blobs/uploads/", f"blobs/{ZERO_DIGEST}"]:
            method = "POST" if suffix.endswith("uploads/") else "GET"
            cases.append(case(f"repo-name-{i}-{suffix.split('/')[0]}", method, f"/v2/{name}/{suffix}"))
        cases.append(case(f"api-namespace-{i}", "GET", f"{API}/namespaces/{name}/imagestreams"))
    for i, path in enumerate(["/v2", "/v2/_catalog/x", f"{API}/", f"{API}/unknown", f"{NS}/imagestreams/ruby/status/x/y", f"{API}/watch",
                              "/api/v1/namespaces/fuzz/imagestreams", "/apis/rbac.authorization.k8s.io/v1/namespaces/x/roles/y/z",
                              "/apis/wharf.dev/v1/tokens/a/b", "/openapi/v3/apis/x", "/%", "/%00", "//v2/", "/v2/../apis",
                              "/" + "a/" * 5000, f"{NS}/imagestreams/{'x' * 70000}"]):
        cases.append(case(f"path-{i}", "GET", path))
    return cases


def billion_laughs(levels: int, width: int) -> str:
    """YAML whose aliases expand to width**levels strings (the 446-byte body at 7 levels of 10)."""
    lines = ['a0: &a0 "lol"']
    for level in range(1, levels + 1):
        lines.append(f"a{level}: &a{level} [" + ",".join([f"*a{level - 1}"] * width) + "]")
    return "\n".join(lines) + "\n"


def body_cases() -> list[Case]:
    """Bodies of every Content-Type to every endpoint that takes one."""
    laughs = billion_laughs(7, 10)
    deep_json = "[" * 20000 + "]" * 20000
    deep_object = '{"a":' * 20000 + "1" + "}" * 20000
    bodies = {
        "null": "null", "array": "[]", "object": "{}", "string": '""', "zero": "0", "true": "true", "empty": "",
        "deep-array": deep_json, "deep-object": deep_object, "dupkeys": '{"kind":"ImageStream","kind":"Image","metadata":{"name":"a","name":"b"}}',
        "wrong-types": '{"kind":1,"apiVersion":[],"metadata":"x","spec":{"tags":{}}}',
        "huge-number": '{"metadata":{"name":"n","generation":1e999999}}', "bad-utf8": b'{"metadata":{"name":"\xff\xfe"}}',
        "bom": "\ufeff{}", "nul": '{"metadata":{"name":"a\u0000b"}}', "laughs-yaml": laughs,
        "laughs-kind": laughs + "kind: ImageStream\nmetadata: *a7\n", "deep-yaml": "a:\n" + "".join(" " * i + "- \n" for i in range(1, 3000)),
        "yaml-flow-deep": "[" * 5000 + "]" * 5000, "yaml-tags": "!!binary x: !!python/object:os.system ls\n",
        "yaml-anchor-key": "? &k [" + ",".join(["x"] * 200) + "]\n: *k\n" + "".join(f"k{i}: *k\n" for i in range(300)),
        "long-name": json.dumps({"kind": "ImageStream", "apiVersion": "image.openshift.io/v1", "metadata": {"name": "x" * 100000, "namespace": "fuzz"}}),
        "many-labels": json.dumps({"kind": "ImageStream", "metadata": {"name": "labels", "labels": {f"k{i}": "v" * 60 for i in range(2000)}}}),
        "resource-version": '{"kind":"ImageStream","metadata":{"name":"rv","resourceVersion":"99999999999999999999"}}',
        "protobuf-junk": b"k8s\x00\x0a\xff\xff\xff\xff\x0f" + b"\x12\x05hello",
        "protobuf-long": b"k8s\x00\x12\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01",
    }
    content_types = ["application/json", "application/yaml", "application/vnd.kubernetes.protobuf", "text/plain", None,
                     "application/json; charset=latin1", "application/merge-patch+json"]
    endpoints = [("POST", f"{NS}/imagestreams"), ("PUT", f"{NS}/imagestreams/ruby"), ("POST", f"{API}/images"),
                 ("POST", f"{NS}/imagestreammappings"), ("POST", f"{NS}/imagestreamimports"), ("POST", f"{API}/imagesignatures"),
                 ("POST", f"{NS}/imagestreamtags"), ("PUT", f"{NS}/imagestreamtags/ruby:latest"), ("POST", f"{NS}/imagetags"),
                 ("POST", "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews"), ("POST", "/apis/wharf.dev/v1/tokens"),
                 ("POST", "/apis/rbac.authorization.k8s.io/v1/namespaces/fuzz/roles"),
                 ("POST", "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings")]
    # Every body in JSON and YAML to the endpoints whose bodies differ most; the common ones to the rest; and a few
    # small ones in every other Content-Type, to keep the run short.
    everything = {f"{NS}/imagestreams", f"{NS}/imagestreams/ruby", "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews",
                  "/apis/wharf.dev/v1/tokens"}
    common = ["null", "array", "object", "string", "empty", "dupkeys", "wrong-types", "bad-utf8", "laughs-yaml", "deep-array"]
    cases = []
    for method, path in endpoints:
        for body_name, body in bodies.items():
            for ct in content_types:
                if ct in ("application/json", "application/yaml"):
                    if path not in everything and body_name not in common:
                        continue
                elif body_name not in ("null", "array", "object", "protobuf-junk", "protobuf-long"):
                    continue
                headers = [("Content-Type", ct)] if ct else []
                label = (ct or "none").replace("/", "-").replace(";", "").replace(" ", "")
                cases.append(case(f"body-{body_name}-{label}-{method}{path.replace('/', '_')}", method, path, headers,
                                  body.encode() if isinstance(body, str) else body))
    # Larger than the 4 MiB limit.
    cases.append(case("body-oversized", "POST", f"{NS}/imagestreams", [("Content-Type", "application/json")],
                      b'{"kind":"ImageStream","metadata":{"name":"big","annotations":{"a":"' + b"x" * (5 * MiB) + b'"}}}'))
    # Manifests of every media type.
    manifest_types = ["application/vnd.oci.image.manifest.v1+json", "application/vnd.oci.image.index.v1+json",
                      "application/vnd.docker.distribution.manifest.v2+json", "application/vnd.docker.distribution.manifest.list.v2+json",
                      "application/vnd.docker.distribution.manifest.v1+prettyjws", "application/json", ""]
    manifests = {
        "empty": "{}", "null": "null", "array": "[]", "schema1": '{"schemaVersion":1}', "schema-big": '{"schemaVersion":99999999999999999999}',
        "no-layers": '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"x","digest":"sha256:' + "0" * 64 + '","size":-1}}',
        "bad-digest": '{"schemaVersion":2,"config":{"mediaType":"x","digest":"sha256:xyz","size":1},"layers":[]}',
        "huge-size": '{"schemaVersion":2,"config":{"mediaType":"x","digest":"@BLOB@","size":99999999999999999999},"layers":[]}',
        "index-self": '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"@DIGEST@","size":-5}]}',
        "subject": '{"schemaVersion":2,"config":{"mediaType":"x","digest":"@BLOB@","size":1},"layers":[],"subject":{"mediaType":"x","digest":"sha256:bad","size":1}}',
        "deep": deep_object, "dupkeys": '{"schemaVersion":2,"schemaVersion":1}', "bad-utf8": b'{"schemaVersion":2,"annotations":{"\xff":"x"}}',
    }
    for name, body in manifests.items():
        for i, media_type in enumerate(manifest_types):
            headers = [("Content-Type", media_type)] if media_type else []
            data = body.encode() if isinstance(body, str) else body
            cases.append(case(f"manifest-{name}-{i}", "PUT", f"/v2/{REPO}/manifests/fuzz-{name}-{i}", headers, data))
    cases.append(case("manifest-oversized", "PUT", f"/v2/{REPO}/manifests/big", [("Content-Type", manifest_types[0])],
                      b'{"schemaVersion":2,"annotations":{"a":"' + b"x" * (5 * MiB) + b'"}}'))
    return cases


def patch_cases() -> list[Case]:
    """PATCH bodies of every patch type: copy bombs, bad pointers, strategic directives, apply YAML."""
    doubling = [{"op": "copy", "from": "/metadata", "path": f"/metadata/x{i}"} for i in range(20)]
    annotations_doubling = [{"op": "add", "path": "/metadata/annotations", "value": {}}] + [
        {"op": "copy", "from": "/metadata/annotations", "path": f"/metadata/annotations/x{i}"} for i in range(25)]
    json_patches = {
        "copy-doubling": doubling, "annotation-doubling": annotations_doubling,
        "move-into-child": [{"op": "move", "from": "/metadata", "path": "/metadata/labels/x"}],
        "remove-root": [{"op": "remove", "path": ""}], "replace-root": [{"op": "replace", "path": "", "value": 1}],
        "huge-index": [{"op": "add", "path": "/spec/tags/99999999999999999999", "value": {}}],
        "negative-index": [{"op": "add", "path": "/spec/tags/-1", "value": {}}],
        "bad-escape": [{"op": "add", "path": "/metadata/labels/~2", "value": "x"}],
        "no-op": [{"path": "/a"}], "unknown-op": [{"op": "frobnicate", "path": "/a"}], "not-a-list": {"op": "add"},
        "test-fail": [{"op": "test", "path": "/metadata/name", "value": "other"}],
        "deep-value": [{"op": "add", "path": "/metadata/labels/x", "value": json.loads("[" * 400 + "]" * 400)}],
        "change-name": [{"op": "replace", "path": "/metadata/name", "value": "other"}],
        "wrong-kind": [{"op": "replace", "path": "/kind", "value": "Image"}],
        "bad-types": [{"op": "replace", "path": "/spec/tags", "value": "x"}, {"op": "replace", "path": "/metadata/labels", "value": 5}],
        "many-ops": [{"op": "add", "path": f"/metadata/labels/k{i}", "value": "v"} for i in range(20000)],
    }
    merge_patches = {
        "null": "null", "array": "[]", "string": '"x"', "nulls": '{"metadata":null,"spec":null,"status":null}',
        "wrong-types": '{"metadata":{"labels":"x","generation":"y"},"spec":{"tags":{"a":1}}}',
        "retain-keys": '{"spec":{"$retainKeys":["x"],"tags":[{"name":"latest","$patch":"delete"}]}}',
        "patch-replace": '{"$patch":"replace"}', "set-element-order": '{"spec":{"$setElementOrder/tags":[{"name":"z"}]}}',
        "deep": '{"metadata":{"annotations":' + '{"a":' * 20000 + "1" + "}" * 20000 + "}}",
        "name-change": '{"metadata":{"name":"other","namespace":"elsewhere","uid":"x","resourceVersion":"1"}}',
        "huge-generation": '{"metadata":{"generation":99999999999999999999}}',
    }
    path = f"{NS}/imagestreams/ruby"
    cases = []
    for name, patch in json_patches.items():
        cases.append(case(f"patch-json-{name}", "PATCH", path, [("Content-Type", "application/json-patch+json")], json.dumps(patch)))
    for name, body in merge_patches.items():
        for ct in ["application/merge-patch+json", "application/strategic-merge-patch+json", "application/apply-patch+yaml"]:
            cases.append(case(f"patch-{ct.split('/')[1].split('-patch')[0]}-{name}", "PATCH", f"{path}?fieldManager=fuzz", [("Content-Type", ct)], body))
    for name, yaml_text in {"laughs": billion_laughs(7, 10), "laughs-spec": billion_laughs(6, 10) + "spec: *a6\n",
                            "error-bomb": billion_laughs(5, 10) + "metadata:\n  name: ruby\n  labels: *a5\n  annotations: *a5\n",
                            "tabs": "\tmetadata:\n\t\tname: x\n", "multi-doc": "a: 1\n---\nb: 2\n"}.items():
        for ct in ["application/apply-patch+yaml", "application/yaml"]:
            cases.append(case(f"patch-yaml-{name}-{ct.split('/')[1]}", "PATCH", path, [("Content-Type", ct)], yaml_text))
    for resource in ["imagestreamtags/ruby:latest", "imagetags/ruby:latest", "imagestreams/ruby/status", "imagestreams/missing"]:
        cases.append(case(f"patch-{resource.split('/')[0]}-doubling", "PATCH", f"{NS}/{resource}",
                          [("Content-Type", "application/json-patch+json")], json.dumps(doubling)))
    cases.append(case("patch-unknown-type", "PATCH", path, [("Content-Type", "application/x-patch")], "{}"))
    cases.append(case("patch-no-type", "PATCH", path, [], "{}"))
    cases.append(case("patch-image", "PATCH", f"{API}/images/@DIGEST@", [("Content-Type", "application/json-patch+json")], json.dumps(doubling)))
    return cases


def header_cases() -> list[Case]:
    """Ranges, chunk sizes, lengths, Content-Range, Accept, Authorization, Host and other headers."""
    cases = []
    blob = f"/v2/{REPO}/blobs/@BLOB@"
    for i, value in enumerate(["bytes=-0", "bytes=0-", "bytes=99999999999999999999-", "bytes=5-1", "bytes=-99999999999999999999",
                               "bytes=0-0,1-1", "bytes=-", "bytes=--1", "bytes=0-9223372036854775807", "bytes=9223372036854775807-",
                               "bytes=-9223372036854775808", "items=0-1", "bytes=" + "0" * 5000 + "-1", "bytes=\u00bd-1", "bytes= 1 - 2 "]):
        cases.append(case(f"range-{i}", "GET", blob, [("Range", value)]))
    for i, value in enumerate(["0-99999999999999999999", "10-5", "-1-5", "bytes 0-1/2", "0-9223372036854775807", "9223372036854775807-9223372036854775807",
                               "0-0", "1-0", "x-y", "0--1", "bytes */*", "0-1/99999999999999999999"]):
        cases.append(case(f"content-range-{i}", "PATCH", "@UPLOAD@", [("Content-Range", value), ("Content-Type", "application/octet-stream")], b"ab"))
    for i, value in enumerate(["-1", "99999999999999999999", "1, 2", "0x10", "+1", "18446744073709551616", " 2", "2 "]):
        cases.append(case(f"content-length-{i}", "PATCH", "@UPLOAD@", [("Content-Length", value)], b"ab", half_close=True))
        cases.append(case(f"content-length-api-{i}", "POST", f"{NS}/imagestreams", [("Content-Length", value), ("Content-Type", "application/json")],
                          b"{}", half_close=True))
    # Content-Length larger than what is sent: the client stops, and the server must answer or close.
    for name, path, method in [("upload-patch", "@UPLOAD@", "PATCH"), ("upload-put", "@UPLOAD@?digest=" + ZERO_DIGEST, "PUT"),
                               ("upload-post", f"/v2/{REPO}/blobs/uploads/?digest={ZERO_DIGEST}", "POST"),
                               ("manifest", f"/v2/{REPO}/manifests/short", "PUT"), ("api", f"{NS}/imagestreams", "POST")]:
        cases.append(case(f"short-body-{name}", method, path, [("Content-Length", "1000000"), ("Content-Type", "application/octet-stream")],
                          b"x" * 1000, half_close=True))
    cases.append(case("two-content-lengths", "PATCH", "@UPLOAD@", [("Content-Length", "1"), ("Content-Length", "2")], b"ab"))
    cases.append(case("length-and-chunked", "PATCH", "@UPLOAD@", [("Content-Length", "2"), ("Transfer-Encoding", "chunked")], b"2\r\nab\r\n0\r\n\r\n"))
    for i, size in enumerate(["10000000000000000", "ffffffffffffffff", "-1", "zz", "0x10", "1" * 100, "8000000000000000", "7fffffffffffffff", "1;ext=" + "x" * 10000]):
        for name, path, method in [("upload", "@UPLOAD@", "PATCH"), ("api", f"{NS}/imagestreams", "POST"), ("mono", f"/v2/{REPO}/blobs/uploads/?digest={ZERO_DIGEST}", "POST")]:
            cases.append(case(f"chunk-size-{i}-{name}", method, path, [("Transfer-Encoding", "chunked"), ("Content-Type", "application/json")],
                              f"{size}\r\nab\r\n0\r\n\r\n".encode(), half_close=True))
    cases.append(case("transfer-encoding-gzip", "POST", f"{NS}/imagestreams", [("Transfer-Encoding", "gzip"), ("Content-Type", "application/json")], b"{}"))
    cases.append(case("content-encoding-gzip", "POST", f"{NS}/imagestreams", [("Content-Encoding", "gzip"), ("Content-Type", "application/json")], b"\x1f\x8b\x08"))
    cases.append(case("expect-continue", "PATCH", "@UPLOAD@", [("Expect", "100-continue")], b"ab"))
    cases.append(case("expect-other", "PATCH", "@UPLOAD@", [("Expect", "x" * 200)], b"ab"))
    for i, value in enumerate(["Basic !!!", "Basic " + base64.b64encode(b":").decode(), "Basic " + base64.b64encode(b"admin:").decode(),
                               "Basic " + base64.b64encode(b"admin:" + b"x" * 100000).decode(), "Bearer", "Bearer ", "Bearer " + "x" * 100000,
                               "Negotiate abc", "basic", "Basic " + base64.b64encode(b"\xff\xfe:\xff").decode(), "Bearer a b c", " " * 10]):
        for path in ["/v2/", f"{API}/imagestreams", "/openshift/token", "/v2/token?scope=repository:fuzz/ruby:pull&service=x"]:
            cases.append(case(f"authorization-{i}{path.split('?')[0].replace('/', '_')}", "GET", path, [("Authorization", value)], auth=False))
    for i, host in enumerate(["", "x" * 10000, 'evil",service="x', "[::1", "a:99999999999", "\u00e9", "a b"]):
        cases.append(Case(f"host-{i}", f"GET /v2/fuzz/ruby/tags/list HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode()))
    for i, value in enumerate(["*/*;q=0.9," * 2000, "application/json;as=Table;v=v1;g=meta.k8s.io", "application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json",
                               "application/vnd.kubernetes.protobuf", "application/yaml", "text/html", "", "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1"]):
        for path in [f"{API}/imagestreams", f"{NS}/imagestreams/ruby", f"{NS}/imagestreams?watch=true&timeoutSeconds=1"]:
            cases.append(case(f"accept-{i}{path.split('?')[0].replace('/', '_')}", "GET", path, [("Accept", value)], stream="watch" in path))
    cases.append(case("many-headers", "GET", "/v2/", [(f"X-H{i}", "v") for i in range(2000)]))
    cases.append(case("huge-header", "GET", "/v2/", [("X-Big", "x" * 200000)]))
    cases.append(case("duplicate-authorization", "GET", f"{API}/imagestreams", [("Authorization", "Bearer bad")]))
    cases.append(case("content-type-junk", "POST", f"{NS}/imagestreams", [("Content-Type", ";;;=\"" + "a" * 5000)], b"{}"))
    return cases


def method_cases() -> list[Case]:
    """Methods the server has no route for, and raw framing errors."""
    cases = []
    paths = ["/v2/", f"/v2/{REPO}/manifests/latest", f"/v2/{REPO}/blobs/uploads/", f"{NS}/imagestreams", "/", "/healthz", "/metrics"]
    for method in ["CONNECT", "TRACE", "OPTIONS", "PROPFIND", "get", "PURGE", "M" * 5000, "QUERY", "LINK"]:
        for path in paths:
            cases.append(case(f"method-{method[:20]}{path.replace('/', '_')}", method, path))
    raws = {
        "connect-authority": b"CONNECT 127.0.0.1:80 HTTP/1.1\r\nHost: 127.0.0.1:80\r\n\r\n",
        "connect-no-host": b"CONNECT /v2/ HTTP/1.1\r\n\r\n",
        "no-host": b"GET /v2/ HTTP/1.1\r\nConnection: close\r\n\r\n",
        "http09": b"GET /v2/\r\n\r\n", "http10": b"GET /v2/ HTTP/1.0\r\n\r\n", "http2-preface": b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n",
        "http3": b"GET /v2/ HTTP/3.0\r\nHost: x\r\n\r\n", "double-space": b"GET  /v2/ HTTP/1.1\r\nHost: x\r\n\r\n",
        "long-line": b"GET /" + b"a" * 200000 + b" HTTP/1.1\r\nHost: x\r\n\r\n", "lf-only": b"GET /v2/ HTTP/1.1\nHost: x\nConnection: close\n\n",
        "bad-escape": b"GET /v2/%ZZ/x/tags/list HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        "absolute-uri": b"GET http://evil/v2/ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        "asterisk": b"OPTIONS * HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        "obs-fold": b"GET /v2/ HTTP/1.1\r\nHost: x\r\nX-A: a\r\n b\r\nConnection: close\r\n\r\n",
        "space-before-colon": b"GET /v2/ HTTP/1.1\r\nHost : x\r\nConnection: close\r\n\r\n",
        "nul-header": b"GET /v2/ HTTP/1.1\r\nHost: x\r\nX-A: a\x00b\r\nConnection: close\r\n\r\n",
        "nul-path": b"GET /v2/\x00 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        "high-bytes-path": b"GET /v2/\xff\xfe/x/tags/list HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        "empty": b"", "crlf-only": b"\r\n\r\n\r\n", "garbage": bytes(range(256)) * 4, "tls-hello": b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + b"\x00" * 64,
        "truncated-head": b"GET /v2/ HTTP/1.1\r\nHost: x\r\nX-A:", "version-junk": b"GET /v2/ HTTP/9.9\r\nHost: x\r\nConnection: close\r\n\r\n",
        "pipelined": b"GET /v2/ HTTP/1.1\r\nHost: x\r\n\r\n" * 50 + b"GET /v2/ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        "pipelined-watch": (b"GET " + API.encode() + b"/imagestreams?watch=true&timeoutSeconds=1 HTTP/1.1\r\nHost: x\r\n\r\n") * 20,
        "upgrade": b"GET /v2/ HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQAoAAAAAIAAAAA\r\n\r\n",
        "websocket": b"GET " + API.encode() + b"/imagestreams?watch=true HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n",
    }
    for name, raw in raws.items():
        cases.append(Case(f"raw-{name}", raw, half_close=True, stream=name in ("websocket",)))
    # A client that keeps its connection open must still be able to tell where each answer ends.
    for method in ["CONNECT", "TRACE", "OPTIONS"]:
        cases.append(Case(f"keep-alive-{method}", f"{method} /v2/ HTTP/1.1\r\nHost: @HOST@\r\nAuthorization: @AUTH@\r\n\r\n".encode()))
    cases.append(Case("keep-alive-CONNECT-authority", b"CONNECT 127.0.0.1:80 HTTP/1.1\r\nHost: 127.0.0.1:80\r\n\r\n"))
    return cases


def deterministic_cases() -> list[Case]:
    return query_cases() + path_cases() + body_cases() + patch_cases() + header_cases() + method_cases()


TOKENS = [b"-1", b"99999999999999999999", b"%00", b"\r\n", b"\x00", b"\xff", b"{", b"[", b"*a", b"&a", b"sha256:", b":", b"/", b"..",
          b"%", b"\"", b"'", b"=", b",", b"!", b"(", b"~1", b"$patch", b"18446744073709551616", b" ", b"\t"]


def mutate(rng: random.Random, seed: Case, index: int) -> Case:
    """A random mutation of a seed request: bytes flipped, tokens inserted, parts repeated or cut off."""
    raw = bytearray(seed.raw)
    for _ in range(rng.randint(1, 4)):
        if not raw:
            break
        at = rng.randrange(len(raw))
        action = rng.randrange(5)
        if action == 0:
            raw[at] = rng.randrange(256)
        elif action == 1:
            raw[at:at] = rng.choice(TOKENS)
        elif action == 2:
            end = min(len(raw), at + rng.randint(1, 64))
            raw[at:at] = raw[at:end] * rng.randint(2, 50)
        elif action == 3:
            del raw[at:at + rng.randint(1, 16)]
        else:
            raw = raw[:at]
    return Case(f"random-{index}-{seed.name[:60]}", bytes(raw), half_close=True, stream=seed.stream)


# ----------------------------------------------------------------------------------------------------------------
# The server
# ----------------------------------------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """wharfd on 127.0.0.1 with a temporary data directory; restartable on the same data."""

    def __init__(self, binary: str, workdir: Path):
        self.binary = binary
        self.workdir = workdir
        self.data = workdir / "data"
        self.log_path = workdir / "wharfd.log"
        self.port = free_port()
        self.proc: subprocess.Popen | None = None
        self.token = ""
        self.baseline_rss = 0
        self.digest = ZERO_DIGEST
        self.blob = ZERO_DIGEST

    @property
    def host(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self) -> None:
        self.data.mkdir(parents=True, exist_ok=True)
        env = {k: v for k, v in os.environ.items() if not k.startswith("WHARF_")}
        # A trap ends the process at once, with its message in the log, instead of after a backtrace of many seconds
        # during which the next requests would seem to hang.
        env["SWIFT_BACKTRACE"] = "enable=no"
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen([self.binary, "--host", "127.0.0.1", "--port", str(self.port), "--data-dir", str(self.data)],
                                         stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env)
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"wharfd exited with status {self.proc.returncode} at startup:\n{self.log()[-4000:]}")
            try:
                status, _ = self.call("GET", "/v2/")
                if status in (200, 401):
                    self.token = (self.data / "admin.token").read_text().strip()
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"wharfd did not answer within {STARTUP_SECONDS:.0f} s:\n{self.log()[-4000:]}")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)

    def restart(self) -> None:
        """Kills the server (it may be busy with the last case's work) and starts it again on the same data."""
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)
        self.start()
        self.baseline_rss = self.rss()

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def healthy(self) -> bool:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=HANG_SECONDS)
            connection.request("GET", "/healthz")
            return connection.getresponse().status == 200
        except OSError:
            return False

    def rss(self) -> int:
        """Resident set size in bytes, from /proc/PID/status."""
        try:
            for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
        except (OSError, AttributeError):
            pass
        return 0

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return ""

    def call(self, method: str, path: str, body: bytes | None = None, headers: dict | None = None) -> tuple[int, http.client.HTTPResponse]:
        """A well-formed request through http.client (setup and upload sessions)."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        all_headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        all_headers.update(headers or {})
        connection.request(method, path, body=body, headers=all_headers)
        response = connection.getresponse()
        response.read()
        connection.close()
        return response.status, response

    def seed(self) -> None:
        """Pushes one image to fuzz/ruby:latest (a layer, a config, a manifest), so paths have something to find."""
        def blob(data: bytes) -> str:
            digest = "sha256:" + hashlib.sha256(data).hexdigest()
            status, _ = self.call("POST", f"/v2/{REPO}/blobs/uploads/?digest={digest}", data, {"Content-Type": "application/octet-stream"})
            if status != 201:
                raise RuntimeError(f"seeding blob {digest}: {status}")
            return digest
        layer = b"fuzz layer"
        config = json.dumps({"architecture": "amd64", "os": "linux", "rootfs": {"type": "layers", "diff_ids": ["sha256:" + hashlib.sha256(layer).hexdigest()]},
                             "config": {"Labels": {"a": "b"}}}).encode()
        self.blob = blob(layer)
        config_digest = blob(config)
        manifest = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                               "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": config_digest, "size": len(config)},
                               "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": self.blob, "size": len(layer)}]}).encode()
        status, _ = self.call("PUT", f"/v2/{REPO}/manifests/latest", manifest, {"Content-Type": "application/vnd.oci.image.manifest.v1+json"})
        if status != 201:
            raise RuntimeError(f"seeding manifest: {status}")
        self.digest = "sha256:" + hashlib.sha256(manifest).hexdigest()

    def new_upload(self) -> str:
        status, response = self.call("POST", f"/v2/{REPO}/blobs/uploads/")
        location = response.getheader("Location") or f"/v2/{REPO}/blobs/uploads/none"
        return location if status == 202 else f"/v2/{REPO}/blobs/uploads/none"


# ----------------------------------------------------------------------------------------------------------------
# Sending and judging
# ----------------------------------------------------------------------------------------------------------------

@dataclass
class Outcome:
    status: int | None = None  # None: closed without an answer
    seconds: float = 0.0
    body_size: int = 0
    hung: bool = False
    head: str = ""  # the status line and headers
    problems: list[str] = field(default_factory=list)


def fill(case: Case, server: Server) -> bytes:
    raw = case.raw.replace(b"@HOST@", server.host.encode()).replace(b"@AUTH@", f"Bearer {server.token}".encode())
    raw = raw.replace(b"@DIGEST@", server.digest.encode()).replace(b"@BLOB@", server.blob.encode())
    if b"@UPLOAD@" in raw:
        raw = raw.replace(b"@UPLOAD@", server.new_upload().encode())
    return raw


def complete(buffer: bytes, stream: bool) -> tuple[bool, int | None, int]:
    """Whether `buffer` holds a whole response (or, for a stream, its head); its status and body size."""
    end = buffer.find(b"\r\n\r\n")
    if end < 0:
        return False, None, 0
    head = buffer[:end].decode("latin-1")
    match = re.match(r"HTTP/\d\.\d (\d{3})", head)
    status = int(match.group(1)) if match else None
    if status == 100:  # an interim answer: the final one follows
        rest = buffer[end + 4:]
        done, final, size = complete(rest, stream)
        return done, final if final is not None else None, size
    body = buffer[end + 4:]
    if stream and status == 200:
        return True, status, len(body)
    length = re.search(r"(?im)^content-length:\s*(\d+)", head)
    if length:
        return len(body) >= int(length.group(1)), status, len(body)
    if re.search(r"(?im)^transfer-encoding:\s*chunked", head):
        return body.endswith(b"0\r\n\r\n"), status, len(body)
    return False, status, len(body)


def send(server: Server, case: Case) -> Outcome:
    outcome = Outcome()
    raw = fill(case, server)
    started = time.monotonic()
    deadline = started + HANG_SECONDS
    buffer = b""
    try:
        with socket.create_connection(("127.0.0.1", server.port), timeout=HANG_SECONDS) as sock:
            try:
                sock.sendall(raw)
                if case.half_close:
                    sock.shutdown(socket.SHUT_WR)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the server stopped reading, which it may; its answer (or close) is still judged
            while True:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    outcome.hung = True
                    break
                sock.settimeout(remaining)
                try:
                    chunk = sock.recv(1 << 16)
                except socket.timeout:
                    outcome.hung = True
                    break
                except ConnectionResetError:
                    break
                if not chunk:
                    break
                buffer += chunk
                done, _, _ = complete(buffer, case.stream)
                if done or len(buffer) > 64 * MiB:
                    break
    except OSError as e:
        outcome.problems.append(f"could not send: {e}")
    outcome.seconds = time.monotonic() - started
    _, outcome.status, outcome.body_size = complete(buffer, case.stream) if buffer else (False, None, 0)
    outcome.head = buffer.split(b"\r\n\r\n", 1)[0].decode("latin-1") if buffer else ""
    if buffer and outcome.status is None:
        match = re.match(rb"HTTP/\d\.\d (\d{3})", buffer)
        outcome.status = int(match.group(1)) if match else None
    return outcome


CHALLENGE_PARAM = re.compile(r'([a-z_]+)="((?:[^"\\]|\\.)*)"')
CHALLENGE_KEYS = {"realm", "service", "scope", "error", "error_description", "error_uri"}  # RFC 6750 §3 and the registry's


def well_formed_challenge(value: str) -> bool:
    """`Bearer k="v",k="v"…` with each of the known keys at most once, and realm first."""
    if not value.startswith("Bearer "):
        return False
    rest, keys = value[7:], []
    while rest:
        match = CHALLENGE_PARAM.match(rest)
        if not match:
            return False
        keys.append(match.group(1))
        rest = rest[match.end():]
        if rest and not rest.startswith(","):
            return False
        rest = rest[1:]
    return bool(keys) and keys[0] == "realm" and len(keys) == len(set(keys)) and set(keys) <= CHALLENGE_KEYS


def judge(server: Server, case: Case, outcome: Outcome) -> list[str]:
    problems = list(outcome.problems)
    if outcome.hung and outcome.status is None:
        problems.append(f"no answer and no close within {HANG_SECONDS:.0f} s")
    elif outcome.hung:
        problems.append(f"answered {outcome.status}, but the answer did not end (no length, no close) within {HANG_SECONDS:.0f} s")
    if outcome.status is not None and outcome.status >= 500:
        problems.append(f"answered {outcome.status}")
    if outcome.status is not None and outcome.status >= 400 and outcome.body_size > MAX_ERROR_BODY:
        problems.append(f"a {outcome.status} with a {outcome.body_size / MiB:.1f} MiB body")
    for challenge in re.findall(r"(?im)^www-authenticate:[ \t]*(.*?)[ \t]*\r?$", outcome.head):
        if not well_formed_challenge(challenge):
            problems.append(f"a malformed challenge: WWW-Authenticate: {challenge[:200]}")
    if case.stream or outcome.status is None:
        time.sleep(0.05)  # a trap after the head, or while the connection closes, shows in a moment
    if not server.alive():
        fatal = [line for line in server.log().splitlines() if "Fatal error" in line or "error:" in line.lower()]
        problems.append(f"wharfd crashed (exit status {server.proc.poll()})" + (f": {fatal[-1].strip()[:300]}" if fatal else ""))
    elif outcome.hung and not server.healthy():
        problems.append("wharfd stopped answering GET /healthz")
    else:
        growth = server.rss() - server.baseline_rss
        if growth > RSS_GROWTH_MIB * MiB:
            problems.append(f"RSS grew by {growth / MiB:.0f} MiB over the warm-up size")
    return problems


def corpus_cases(corpus: Path) -> list[Case]:
    cases = []
    for path in sorted(corpus.glob("*.http")):
        parts = path.name[:-5].split(".")
        cases.append(Case(f"corpus-{parts[0]}", path.read_bytes(), half_close="half-close" in parts[1:], stream="stream" in parts[1:]))
    return cases


def keep(corpus: Path, case: Case) -> Path | None:
    """Writes a failing input to the corpus, unless the corpus has it already."""
    corpus.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256(case.raw).hexdigest()[:12]
    for existing in corpus.glob("*.http"):
        if hashlib.sha256(existing.read_bytes()).hexdigest()[:12] == digest:
            return None
    slug = re.sub(r"[^A-Za-z0-9_-]+", "-", case.name.removeprefix("corpus-"))[:80]
    path = corpus / f"{slug}-{digest}{case.flags}.http"
    path.write_bytes(case.raw)
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--wharfd", default=os.environ.get("WHARFD"), help="the wharfd binary (default: $WHARFD)")
    parser.add_argument("--seed", type=int, default=1, help="seed of the random mutations")
    parser.add_argument("--random", type=int, default=300, help="how many random mutations to send")
    parser.add_argument("--only", default="", help="send only the cases whose name contains this")
    parser.add_argument("--corpus", type=Path, default=CORPUS, help="where failing inputs are kept and replayed from")
    parser.add_argument("--no-write", action="store_true", help="do not add failing inputs to the corpus")
    parser.add_argument("--list", action="store_true", help="list the cases and exit")
    args = parser.parse_args(argv)

    rng = random.Random(args.seed)
    fixed = deterministic_cases()
    cases = corpus_cases(args.corpus) + fixed + [mutate(rng, rng.choice(fixed), i) for i in range(args.random)]
    cases = [c for c in cases if args.only in c.name]
    if args.list:
        for c in cases:
            print(c.name)
        return 0
    if not args.wharfd or not os.access(args.wharfd, os.X_OK):
        print(f"http_fuzz: set WHARFD (or --wharfd) to the wharfd binary; got {args.wharfd!r}", file=sys.stderr)
        return 2

    # SIGTERM unwinds like Ctrl-C, so that the server started here is stopped.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    workdir = Path(tempfile.mkdtemp(prefix="wharf-http-fuzz-"))
    server = Server(args.wharfd, workdir)
    failures: list[tuple[Case, list[str], Outcome]] = []
    timings: list[tuple[float, str]] = []
    started = time.monotonic()
    try:
        server.start()
        server.seed()
        for _ in range(50):  # warm-up: the baseline is the RSS of a server that has served some of everything
            server.call("GET", f"{NS}/imagestreams")
            server.call("GET", f"/v2/{REPO}/manifests/latest", headers={"Accept": "application/vnd.oci.image.manifest.v1+json"})
        server.baseline_rss = server.rss()
        print(f"http_fuzz: {len(cases)} cases against {args.wharfd} (seed {args.seed}), baseline RSS {server.baseline_rss / MiB:.0f} MiB", flush=True)
        for number, c in enumerate(cases, 1):
            outcome = send(server, c)
            problems = judge(server, c, outcome)
            timings.append((outcome.seconds, c.name))
            if problems:
                failures.append((c, problems, outcome))
                kept = None if args.no_write else keep(args.corpus, c)
                print(f"FAIL {c.name}: {'; '.join(problems)} ({outcome.seconds:.1f} s)" + (f" -> {kept}" if kept else ""), flush=True)
                # A fresh server for the next case, so that it is not blamed for this one's work or memory.
                if not server.alive() or outcome.hung or any("RSS" in p for p in problems):
                    server.restart()
            if number % 500 == 0:
                print(f"http_fuzz: {number}/{len(cases)} sent, {len(failures)} failed, RSS {server.rss() / MiB:.0f} MiB", flush=True)
    except RuntimeError as e:
        print(f"http_fuzz: {e}", file=sys.stderr)
        return 2
    finally:
        server.stop()
        log_tail = server.log()[-3000:]
        shutil.rmtree(workdir, ignore_errors=True)
    if failures:
        print("--- last lines of the wharfd log ---\n" + log_tail)
    seconds = time.monotonic() - started
    slowest = sorted(timings, reverse=True)[:5]
    print("http_fuzz: slowest: " + ", ".join(f"{name} {t:.2f} s" for t, name in slowest))
    print(f"http_fuzz: {len(cases) - len(failures)} passed, {len(failures)} failed in {seconds:.0f} s")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
