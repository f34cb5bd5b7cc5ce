from django.contrib.staticfiles.apps import StaticFilesConfig


class NewzoneStaticFilesConfig(StaticFilesConfig):
    """collectstatic copies and compresses only the npm files the pages use, not whole dist folders.

    The pages load bootstrap.min.css (with its source map, which the manifest storage follows); the
    scripts are esbuild's bundles (frontend/), and the map's leaflet.js (with its css and images),
    leaflet.markercluster.js and pmtiles.js. The other builds would only slow every deploy.
    """

    ignore_patterns = [
        *StaticFilesConfig.ignore_patterns,
        "bootstrap-*",
        "*.rtl.*",
        "bootstrap.css*",
        "leaflet-src*",
        "leaflet.markercluster-src*",
        "WhereAreTheJavascriptFiles.txt",
        "cjs",
        "esm",
    ]
