"""Several app servers: uploads go to S3-compatible storage when S3_BUCKET is set, else the local folder.

Settings are read once per process, so the switch is checked in fresh processes.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

BASE_DIR = Path(__file__).resolve().parent.parent
PROBE = """
import json, django
django.setup()
from django.conf import settings
from django.core.files.storage import storages
storage = storages["default"]
print(json.dumps({
    "backend": settings.STORAGES["default"]["BACKEND"],
    "class": type(storage).__module__ + "." + type(storage).__name__,
    "bucket": getattr(storage, "bucket_name", None),
    "endpoint": getattr(storage, "endpoint_url", None),
    "url": storage.url("photos/2026/05/site.jpg"),
}))
"""


def probe(tmp_path, **env):
    environment = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": os.environ.get("HOME", ""),
        "DJANGO_SETTINGS_MODULE": "newzone.settings",
        "DEBUG": "1",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'probe.sqlite3'}",
        "MEDIA_ROOT": str(tmp_path / "media"),
        **env,
    }
    result = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_uploads_stay_on_the_local_disk_without_s3_bucket(tmp_path):
    found = probe(tmp_path)
    assert found["class"] == "django.core.files.storage.filesystem.FileSystemStorage"
    assert found["url"] == "/media/photos/2026/05/site.jpg"


def test_s3_bucket_switches_uploads_to_object_storage(tmp_path):
    found = probe(
        tmp_path,
        S3_BUCKET="newzone-photos",
        S3_ENDPOINT_URL="http://127.0.0.1:9000",
        S3_ACCESS_KEY_ID="test-key",
        S3_SECRET_ACCESS_KEY="test-secret",
        S3_REGION="us-east-1",
    )
    assert found["backend"] == "storages.backends.s3.S3Storage"
    assert found["class"] == "storages.backends.s3.S3Storage"
    assert found["bucket"] == "newzone-photos"
    assert found["endpoint"] == "http://127.0.0.1:9000"
    # A signed, expiring link to the object on the configured store (computed locally, no request made).
    assert found["url"].startswith("http://127.0.0.1:9000/newzone-photos/photos/2026/05/site.jpg?")
    assert "Signature" in found["url"]


def test_local_storage_round_trip(settings, tmp_path):
    """The default of one machine: a file saved is read back from MEDIA_ROOT and served under MEDIA_URL."""
    name = default_storage.save("photos/2026/05/site.jpg", ContentFile(b"jpeg bytes"))
    assert (Path(settings.MEDIA_ROOT) / name).read_bytes() == b"jpeg bytes"
    with default_storage.open(name) as stored:
        assert stored.read() == b"jpeg bytes"
    assert default_storage.url(name) == f"/media/{name}"
