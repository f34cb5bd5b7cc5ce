from django.contrib.staticfiles.apps import StaticFilesConfig


class NewzoneStaticFilesConfig(StaticFilesConfig):
    """collectstatic copies and compresses only the npm files the pages use, not whole dist folders.

    The pages load bootstrap.min.css (with its source map, which the manifest storage follows); the
    scripts, and the map's stylesheets with their images, are esbuild's bundles (frontend/). The other
    builds would only slow every deploy.
    """

    ignore_patterns = [
        *StaticFilesConfig.ignore_patterns,
        "bootstrap-*",
        "*.rtl.*",
        "bootstrap.css*",
    ]
