#!/usr/bin/env bash
# Restore Newzone from a backup made by scripts/backup.sh: the database, then the uploads.
#
#   DATABASE_URL=postgres://newzone@127.0.0.1:5432/newzone MEDIA_ROOT=/srv/newzone/media \
#     scripts/restore.sh newzone-<stamp>.dump newzone-media-<stamp>.tar.gz
#
# The database must exist (createdb); its Newzone tables are dropped and recreated from the dump
# (pg_restore --clean --if-exists), in one transaction: a failed restore leaves the database as it
# was. The uploads archive is unpacked into MEDIA_ROOT (existing files of the same name are replaced).
# Stop the app servers first. See docs/backup.md.
set -euo pipefail

: "${DATABASE_URL:?DATABASE_URL must name the PostgreSQL database to restore into}"
: "${MEDIA_ROOT:?MEDIA_ROOT must name the uploads folder}"
dump="${1:?usage: restore.sh DUMP_FILE [MEDIA_TAR]}"
media="${2:-}"

pg_restore --clean --if-exists --no-owner --no-acl --single-transaction --exit-on-error \
  --dbname="$DATABASE_URL" "$dump"

if [ -n "$media" ]; then
  mkdir -p "$MEDIA_ROOT"
  tar -C "$MEDIA_ROOT" -xzf "$media"
fi
echo "restored $dump${media:+ and $media}"
