#!/bin/sh
# Creates Temporal's two databases on first start and brings their schemas to this image's version
# (run by docker-compose.yml's temporal-schema job with the admin-tools image, before the server).
# `create` fails when the database exists: that is the normal case after the first start.
set -eu
tool() { temporal-sql-tool --plugin postgres12 --ep postgresql -p 5432 -u "$POSTGRES_USER" "$@"; }
for db in temporal temporal_visibility; do
  schema=$([ "$db" = temporal ] && echo temporal || echo visibility)
  tool --db "$db" create || echo "database $db exists"
  tool --db "$db" setup-schema -v 0.0 || echo "schema of $db already set up"
  tool --db "$db" update-schema -d "/etc/temporal/schema/postgresql/v12/$schema/versioned"
done
