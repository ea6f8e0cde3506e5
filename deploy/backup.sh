#!/bin/sh
# Nightly backup: the database (pg_dump, custom format) and the files (receipts, logos,
# signatures, print runs): MEDIA_ROOT as a tar, or the bucket copied with rclone when
# STORAGE_BUCKET is set. Keeps 30 days. Run from cron as the donorcrm user, e.g.
#   15 2 * * *  set -a; . /etc/donorcrm/env; set +a; /srv/donorcrm/deploy/backup.sh
# Copy BACKUP_DIR off the machine too (another provider's bucket, a volunteer's disk).
set -eu
BACKUP_DIR=${BACKUP_DIR:-/var/backups/donorcrm}
STAMP=$(date +%Y-%m-%d)
mkdir -p "$BACKUP_DIR"

pg_dump --format=custom --no-owner --no-privileges --file="$BACKUP_DIR/db-$STAMP.dump" "$DATABASE_URL"

if [ -n "${STORAGE_BUCKET:-}" ]; then
	# An rclone remote named "storage" pointing at the provider (rclone config).
	rclone sync "storage:$STORAGE_BUCKET" "$BACKUP_DIR/files-current"
	tar -czf "$BACKUP_DIR/files-$STAMP.tar.gz" -C "$BACKUP_DIR" files-current
else
	tar -czf "$BACKUP_DIR/files-$STAMP.tar.gz" -C "${MEDIA_ROOT:-/srv/donorcrm/var/media}" .
fi

find "$BACKUP_DIR" -maxdepth 1 \( -name 'db-*.dump' -o -name 'files-*.tar.gz' \) -mtime +30 -delete
echo "Backed up to $BACKUP_DIR: db-$STAMP.dump, files-$STAMP.tar.gz"
