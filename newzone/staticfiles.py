from django.contrib.staticfiles.apps import StaticFilesConfig


class NewzoneStaticFilesConfig(StaticFilesConfig):
    """collectstatic copies and compresses only the npm files the pages use, not whole dist folders.

    The pages load bootstrap.min.css, bootstrap.bundle.min.js (each with its source map, which the
    manifest storage follows) echarts.min.js, leaflet.js (with its css and images),
    leaflet.markercluster.js and pmtiles.js; the other builds would only slow every deploy.
    """

    ignore_patterns = [
        *StaticFilesConfig.ignore_patterns,
        "package.json",
        "extension",
        "echarts.js*",
        "echarts.common*",
        "echarts.simple*",
        "echarts.esm*",
        "bootstrap-*",
        "*.rtl.*",
        "bootstrap.css*",
        "bootstrap.js*",
        "bootstrap.min.js*",
        "bootstrap.esm*",
        "bootstrap.bundle.js*",
        "leaflet-src*",
        "leaflet.markercluster-src*",
        "WhereAreTheJavascriptFiles.txt",
        "cjs",
        "esm",
    ]
