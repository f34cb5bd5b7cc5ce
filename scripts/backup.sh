#!/usr/bin/env bash
# Back up Newzone: the PostgreSQL database (pg_dump custom format) and the uploads folder (tar).
#
#   DATABASE_URL=postgres://newzone@127.0.0.1:5432/newzone MEDIA_ROOT=/srv/newzone/media \
#     scripts/backup.sh [DEST_DIR]
#
# Writes DEST_DIR/newzone-<UTC stamp>.dump and DEST_DIR/newzone-media-<UTC stamp>.tar.gz, then deletes
# backups older than KEEP_DAYS days (default 30). DEST_DIR defaults to $BACKUP_DIR or /var/backups/newzone.
# Prints the two file names. See docs/backup.md.
set -euo pipefail

: "${DATABASE_URL:?DATABASE_URL must name the PostgreSQL database (postgres://user@host:port/name)}"
: "${MEDIA_ROOT:?MEDIA_ROOT must name the uploads folder}"
case "$DATABASE_URL" in
  postgres://* | postgresql://*) ;;
  *) echo "backup.sh: DATABASE_URL is not PostgreSQL; copy the SQLite file instead." >&2; exit 2 ;;
esac

dest="${1:-${BACKUP_DIR:-/var/backups/newzone}}"
keep_days="${KEEP_DAYS:-30}"
stamp="$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$dest"
umask 077  # the dump holds enterprises' figures and the users' password hashes

dump="$dest/newzone-$stamp.dump"
media="$dest/newzone-media-$stamp.tar.gz"

# Write to a temporary name first, so a failed run never leaves a file that looks complete.
pg_dump --format=custom --no-owner --no-acl --dbname="$DATABASE_URL" --file="$dump.part"
mv "$dump.part" "$dump"

mkdir -p "$MEDIA_ROOT"
tar -C "$MEDIA_ROOT" -czf "$media.part" .
mv "$media.part" "$media"

find "$dest" -maxdepth 1 -name 'newzone-*' -type f -mtime +"$keep_days" -delete

echo "$dump"
echo "$media"
