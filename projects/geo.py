"""Places on the zone's map (PRODUCT.md "Location"): coordinates, outlines, distances, tile archives.

- `point_errors` checks a longitude/latitude pair (the project form, the ledger import, the service);
- `outline_check` / `park_outlines_check` read GeoJSON text an administrator or a grid worker gives;
- `distance_m` is the one haversine: a database expression, so the evidence list filters by it and
  the visit page reads the same number (`VisitQuerySet.with_evidence`);
- `archive_kind` tells a PMTiles archive from an MBTiles file by their content.
"""

import json
import math
import sqlite3
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db.models import F, FloatField, Value
from django.db.models.functions import ASin, Cast, Cos, Power, Radians, Sin, Sqrt
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

# The mean radius of the Earth (m): haversine distances are good to ~0.5% with it, plenty for
# "was the phone at the site".
EARTH_RADIUS_M = 6_371_000
LATITUDE_RANGE = (Decimal(-90), Decimal(90))
LONGITUDE_RANGE = (Decimal(-180), Decimal(180))
# Outlines are drawn by hand or exported from a GIS for a few parks: far below this.
MAX_GEOJSON_BYTES = 2 * 1024 * 1024
MAX_POSITIONS = 50_000
POLYGONS = ("Polygon", "MultiPolygon")


def parse_coordinate(value):
    """A Decimal from a cell or a field (number or text, '119.6' or '119,6'), None for empty; ValueError."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, float):
        value = repr(value)
    try:
        number = Decimal(str(value).strip().replace(",", "."))
    except InvalidOperation:
        raise ValueError(value) from None
    if not number.is_finite():
        raise ValueError(value)
    return number.quantize(Decimal("0.000001"))


def point_errors(longitude, latitude):
    """{field: message} for a longitude/latitude pair; both empty is fine (no place yet)."""
    errors = {}
    if (longitude is None) != (latitude is None):
        missing = "latitude" if latitude is None else "longitude"
        errors[missing] = _("A place needs both longitude (经度) and latitude (纬度).")
        return errors
    if longitude is not None and not LONGITUDE_RANGE[0] <= longitude <= LONGITUDE_RANGE[1]:
        errors["longitude"] = _(
            "Longitude (经度) %(value)s is out of range: it lies between -180 and 180 "
            "(the zone is near 119.6)."
        ) % {"value": longitude}
    if latitude is not None and not LATITUDE_RANGE[0] <= latitude <= LATITUDE_RANGE[1]:
        errors["latitude"] = _(
            "Latitude (纬度) %(value)s is out of range: it lies between -90 and 90 (the zone is near 32.1)."
        ) % {"value": latitude}
    return errors


def _load(text):
    if len(text.encode()) > MAX_GEOJSON_BYTES:
        raise ValidationError(
            _("The GeoJSON is too large; the limit is %(limit)s.")
            % {"limit": filesizeformat(MAX_GEOJSON_BYTES)}
        )
    try:
        return json.loads(text)
    except ValueError:
        raise ValidationError(_("This is not GeoJSON: the text is not valid JSON.")) from None


def _check_ring(ring, counter):
    if not isinstance(ring, list) or len(ring) < 4:
        raise ValidationError(
            _("An outline's ring needs at least four positions, the last equal to the first.")
        )
    for position in ring:
        if (
            not isinstance(position, list)
            or len(position) < 2
            or not all(isinstance(n, (int, float)) and not isinstance(n, bool) for n in position[:2])
            or not all(math.isfinite(n) for n in position[:2])
        ):
            raise ValidationError(_("An outline's position must be [longitude, latitude] numbers."))
        longitude, latitude = position[:2]
        if not (-180 <= longitude <= 180 and -90 <= latitude <= 90):
            raise ValidationError(
                _("The outline has a position out of range: [%(lng)s, %(lat)s].")
                % {"lng": longitude, "lat": latitude}
            )
    if ring[0][:2] != ring[-1][:2]:
        raise ValidationError(_("An outline's ring must end where it starts."))
    counter[0] += len(ring)
    if counter[0] > MAX_POSITIONS:
        raise ValidationError(
            _("The outline has too many positions (at most %(limit)s).") % {"limit": MAX_POSITIONS}
        )


def _check_geometry(geometry, counter):
    if not isinstance(geometry, dict) or geometry.get("type") not in POLYGONS:
        raise ValidationError(_("An outline must be a GeoJSON Polygon or MultiPolygon."))
    polygons = [geometry.get("coordinates")] if geometry["type"] == "Polygon" else geometry.get("coordinates")
    if not isinstance(polygons, list) or not polygons:
        raise ValidationError(_("An outline must be a GeoJSON Polygon or MultiPolygon."))
    for polygon in polygons:
        if not isinstance(polygon, list) or not polygon:
            raise ValidationError(_("An outline must be a GeoJSON Polygon or MultiPolygon."))
        for ring in polygon:
            _check_ring(ring, counter)


def outline_check(text):
    """The geometry of a project's outline (GeoJSON Polygon/MultiPolygon, or a Feature of one); '' → None."""
    if not text or not text.strip():
        return None
    data = _load(text)
    if isinstance(data, dict) and data.get("type") == "Feature":
        data = data.get("geometry")
    _check_geometry(data, [0])
    return data


def validate_outline(text):
    """Model validator of Project.outline."""
    outline_check(text)


def park_outlines_check(text):
    """The parks' outlines: a FeatureCollection of polygons, each with a `name` property; '' → None."""
    if not text or not text.strip():
        return None
    data = _load(text)
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        raise ValidationError(_("The parks' outlines must be a GeoJSON FeatureCollection."))
    features = data.get("features")
    if not isinstance(features, list) or not features:
        raise ValidationError(_("The parks' outlines have no feature."))
    counter = [0]
    for feature in features:
        if not isinstance(feature, dict) or feature.get("type") != "Feature":
            raise ValidationError(_("The parks' outlines must be a GeoJSON FeatureCollection."))
        properties = feature.get("properties") or {}
        if not isinstance(properties, dict) or not str(properties.get("name") or "").strip():
            raise ValidationError(_("Each park's outline needs a \"name\" property (the park's name)."))
        _check_geometry(feature.get("geometry"), counter)
    return data


def validate_park_outlines(text):
    park_outlines_check(text)


def _float(expression):
    return Cast(expression, FloatField())


def distance_m(latitude_a, longitude_a, latitude_b, longitude_b):
    """The haversine distance in metres between two points, as a database expression.

    Each argument is a field name or an expression; SQLite (Django's own math functions) and
    PostgreSQL compute it alike. NULL when a point is missing.
    """

    def radians(name):
        return Radians(_float(F(name) if isinstance(name, str) else name))

    phi_a, phi_b = radians(latitude_a), radians(latitude_b)
    half_dphi = (radians(latitude_b) - radians(latitude_a)) / Value(2.0)
    half_dlambda = (radians(longitude_b) - radians(longitude_a)) / Value(2.0)
    a = Power(Sin(half_dphi), 2) + Cos(phi_a) * Cos(phi_b) * Power(Sin(half_dlambda), 2)
    return Value(2.0 * EARTH_RADIUS_M) * ASin(Sqrt(a))


# --- Offline tile archives -------------------------------------------------------------------------

PMTILES = "pmtiles"
MBTILES = "mbtiles"
PMTILES_MAGIC = b"PMTiles\x03"
SQLITE_MAGIC = b"SQLite format 3\x00"


def archive_kind(head):
    """PMTILES or MBTILES from a file's first bytes, else None."""
    if head.startswith(PMTILES_MAGIC):
        return PMTILES
    if head.startswith(SQLITE_MAGIC):
        return MBTILES
    return None


# PMTiles v3 header: tile type at byte 99 (1 vector, 2 PNG, 3 JPEG, 4 WebP, 5 AVIF), max zoom at 101.
PMTILES_RASTER_TYPES = {2, 3, 4, 5}
MBTILES_RASTER_FORMATS = {"png", "jpg", "jpeg", "webp"}


def _not_raster():
    return ValidationError(
        _("This archive holds vector tiles; the map shows raster (PNG, JPEG or WebP) tiles only.")
    )


def archive_check(file, max_bytes):
    """(kind, max zoom) of an uploaded tile archive, read from its content; ValidationError otherwise."""
    size = getattr(file, "size", None) or 0
    if size > max_bytes:
        raise ValidationError(
            _("%(name)s is too large (%(size)s); the limit is %(limit)s.")
            % {"name": file.name, "size": filesizeformat(size), "limit": filesizeformat(max_bytes)}
        )
    file.seek(0)
    head = file.read(127)
    file.seek(0)
    kind = archive_kind(head)
    if kind == PMTILES:
        if len(head) < 127:
            raise ValidationError(_("This is not a readable PMTiles archive."))
        if head[99] not in PMTILES_RASTER_TYPES:
            raise _not_raster()
        return PMTILES, min(head[101], 22)
    if kind == MBTILES:
        return MBTILES, _mbtiles_check(file)
    raise ValidationError(_("This is not a tile archive: upload a .pmtiles or .mbtiles file."))


def _mbtiles_check(file):
    """The highest zoom of an uploaded MBTiles file (copied to a temporary file: sqlite3 opens paths)."""
    import tempfile

    with tempfile.NamedTemporaryFile(suffix=".mbtiles") as copy:
        file.seek(0)
        for chunk in iter(lambda: file.read(1 << 20), b""):
            copy.write(chunk)
        copy.flush()
        file.seek(0)
        try:
            connection = sqlite3.connect(f"file:{copy.name}?mode=ro", uri=True)
            try:
                metadata = dict(connection.execute("SELECT name, value FROM metadata").fetchall())
                highest = connection.execute("SELECT MAX(zoom_level) FROM tiles").fetchone()[0]
            finally:
                connection.close()
        except sqlite3.Error:
            raise ValidationError(
                _("This SQLite file is not an MBTiles archive (it lacks the tiles or metadata table).")
            ) from None
    if str(metadata.get("format", "png")).lower() not in MBTILES_RASTER_FORMATS:
        raise _not_raster()
    if highest is None:
        raise ValidationError(_("This MBTiles archive holds no tile."))
    return min(int(highest), 22)


def mbtiles_tile(path, z, x, y):
    """The tile's bytes from an MBTiles file (rows are counted from the south: TMS), or None."""
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        row = connection.execute(
            "SELECT tile_data FROM tiles WHERE zoom_level = ? AND tile_column = ? AND tile_row = ?",
            (z, x, (1 << z) - 1 - y),
        ).fetchone()
    finally:
        connection.close()
    return row[0] if row else None
