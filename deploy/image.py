"""Build the image (deploy/Dockerfile) with podman: ``python deploy/image.py build``.

Builds two targets: ``ofof:latest`` (every process) and ``ofof-localaws:latest`` (the moto
server, for compose). Where a registry cannot be reached (Docker Hub is blocked on the
development machines), the base image is made from Debian's own packages instead of
pulling ``python:3.11-slim-bookworm`` (debootstrap, bookworm, Python 3.11 as in the
official image), and the local AWS image is tagged as the ``motoserver/moto`` image the
compose file names, so ``podman-compose up`` needs no registry either.

Containers run under ``var/podman/containers.conf``: runc, and open-file and process
limits no higher than this machine lets a container set (its VM refuses crun's default
raise of RLIMIT_NOFILE with EPERM).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "var" / "podman"
OFFICIAL_BASE = "docker.io/library/python:3.11-slim-bookworm"
LOCAL_BASE = "localhost/ofof-base:bookworm"
APP_IMAGE = "ofof:latest"
LOCALAWS_IMAGE = "ofof-localaws:latest"
DEBIAN_MIRROR = "http://deb.debian.org/debian"
# What the official Python image has that the Dockerfile uses.
BASE_PACKAGES = "python3,python3-venv,python3-dev,ca-certificates"
CONTAINERS_CONF = """[containers]
default_ulimits = ["nofile=1024:1024", "nproc=4096:4096"]
[engine]
runtime = "runc"
"""


def podman_env() -> dict[str, str]:
    """The environment of every podman call: our containers.conf."""
    WORK.mkdir(parents=True, exist_ok=True)
    conf = WORK / "containers.conf"
    conf.write_text(CONTAINERS_CONF)
    return {**os.environ, "CONTAINERS_CONF": str(conf)}


def podman(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    """Run ``podman args``; its output goes to ours."""
    print("+ podman", " ".join(args), flush=True)
    return subprocess.run(["podman", *args], env=podman_env(), check=check, text=True)


def can_pull(image: str) -> bool:
    """True when ``image`` is here already or can be pulled."""
    if podman("image", "exists", image, check=False).returncode == 0:
        return True
    return podman("pull", "-q", image, check=False).returncode == 0


def local_base() -> str:
    """A bookworm base with Python 3.11 from Debian's packages, and this host's CAs."""
    if podman("image", "exists", LOCAL_BASE, check=False).returncode == 0:
        return LOCAL_BASE
    rootfs = WORK / "rootfs"
    shutil.rmtree(rootfs, ignore_errors=True)
    debootstrap = ["debootstrap", "--variant=minbase", f"--include={BASE_PACKAGES}"]
    subprocess.run([*debootstrap, "bookworm", str(rootfs), DEBIAN_MIRROR], check=True)
    # A host behind a TLS-inspecting proxy trusts its CA; builds inside need it too.
    bundle = Path(os.environ.get("SSL_CERT_FILE", "/etc/ssl/certs/ca-certificates.crt"))
    certs = "/etc/ssl/certs/ca-certificates.crt"
    if bundle.is_file():
        shutil.copyfile(bundle, rootfs / certs.lstrip("/"))
    tar = subprocess.Popen(["tar", "-C", str(rootfs), "-c", "."], stdout=subprocess.PIPE)
    changes = ['CMD ["python3"]', f"ENV SSL_CERT_FILE={certs}", f"ENV PIP_CERT={certs}"]
    args = [arg for change in changes for arg in ("--change", change)]
    subprocess.run(
        ["podman", "import", *args, "-", LOCAL_BASE],
        stdin=tar.stdout,
        env=podman_env(),
        check=True,
    )
    tar.wait()
    shutil.rmtree(rootfs, ignore_errors=True)
    return LOCAL_BASE


def locked_moto() -> str:
    """The moto version of requirements.lock (the compose file's moto image tag)."""
    found = re.search(r"^moto==(\S+)$", (ROOT / "requirements.lock").read_text(), re.M)
    assert found is not None
    return found.group(1)


def build() -> None:
    """Build the application image and the local AWS image."""
    base = OFFICIAL_BASE if can_pull(OFFICIAL_BASE) else local_base()
    common = ["build", "--format", "docker", "--network", "host", "-f", "deploy/Dockerfile"]
    common += ["--build-arg", f"BASE_IMAGE={base}"]
    os.chdir(ROOT)
    podman(*common, "-t", APP_IMAGE, ".")
    podman(*common, "--target", "localaws", "-t", LOCALAWS_IMAGE, ".")
    moto_image = f"docker.io/motoserver/moto:{locked_moto()}"
    if not can_pull(moto_image):
        podman("tag", LOCALAWS_IMAGE, moto_image)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["build"])
    parser.parse_args()
    build()


if __name__ == "__main__":
    sys.exit(main())
