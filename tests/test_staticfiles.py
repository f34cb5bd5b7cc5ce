"""The production static files: collectstatic with the compressed manifest storage, as deployed."""

import json
import re
from pathlib import Path

from django.core.management import call_command

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


def referenced_static_paths():
    return {
        match
        for template in TEMPLATES.rglob("*.html")
        for match in re.findall(r"{% static '([^']+)' %}", template.read_text())
    }


def test_collectstatic_serves_every_file_the_pages_use_and_skips_unused_builds(settings, tmp_path):
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    call_command("collectstatic", "--noinput", verbosity=0)

    manifest = json.loads((tmp_path / "staticfiles.json").read_text())["paths"]
    used = referenced_static_paths()
    assert {"bundles/site.js", "bundles/dashboard.js", "bundles/plan.js", "bundles/map.js"} <= used
    assert "bundles/map.css" in used
    assert used <= manifest.keys()
    # Neither the whole ECharts nor Bootstrap's JavaScript builds are deployed: the bundles replace them.
    assert not (tmp_path / "vendor/echarts").exists()
    assert not (tmp_path / "vendor/bootstrap/js").exists()
    assert not (tmp_path / "vendor/bootstrap/css/bootstrap-grid.css").exists()
    # Nor Leaflet, its clusters or pmtiles: map.js and map.css bundle them.
    assert sorted(path.name for path in (tmp_path / "vendor").iterdir()) == ["bootstrap"]
    assert list(tmp_path.glob("bundles/*.png"))  # the images Leaflet's stylesheet names
