#!/usr/bin/env bash
# tools/release_library.sh VERSION: build the library (immutable.so) of an
# earlier release of the extension from its commit in this repository's
# history, and print the path of the built file. test/t/007_upgrade.pl
# installs that release with it, fills tables, puts today's library in its
# place and runs ALTER EXTENSION immutable UPDATE (README "Upgrading").
#
#   bash tools/release_library.sh 1.0
#   PG_CONFIG=/opt/pg/usr/lib/postgresql/15/bin/pg_config bash tools/release_library.sh 1.0
#
# The build is kept in $IMMUTABLE_RELEASE_CACHE (default
# /var/tmp/immutable-releases), per release and PostgreSQL version, readable
# by everyone (the tests run as the cluster's owner); a second run only
# prints the path. Exits non-zero, printing why, when the release is unknown,
# its commit is not in the history (a shallow clone) or it does not build
# against this PostgreSQL (a release older than the PostgreSQL major).

set -euo pipefail

# Each release and its commit (there are no tags): the last commit of the
# release, whose install script is immutable--<version>.sql today.
declare -A RELEASES=(
    [1.0]=49d0e1f
)

VERSION=${1:?usage: release_library.sh VERSION}
PG_CONFIG=${PG_CONFIG:-pg_config}
CACHE=${IMMUTABLE_RELEASE_CACHE:-/var/tmp/immutable-releases}
REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

COMMIT=${RELEASES[$VERSION]:-}
if [ -z "$COMMIT" ]; then
    echo "release_library.sh: no release $VERSION (known: ${!RELEASES[*]})" >&2
    exit 2
fi
PG_VERSION=$("$PG_CONFIG" --version | awk '{print $2}')
TARGET=$CACHE/$VERSION-$COMMIT-pg$PG_VERSION/immutable.so
if [ -f "$TARGET" ]; then
    echo "$TARGET"
    exit 0
fi

if ! git -C "$REPO_ROOT" cat-file -e "$COMMIT^{commit}" 2>/dev/null; then
    echo "release_library.sh: commit $COMMIT of release $VERSION is not in the history of $REPO_ROOT" >&2
    exit 2
fi
BUILD=$(mktemp -d)
trap 'rm -rf "$BUILD"' EXIT
git -C "$REPO_ROOT" archive "$COMMIT" | tar -C "$BUILD" -xf -
# CI= : the release's own warnings are not today's to fix (no -Werror)
if ! make -s -C "$BUILD" -j2 PG_CONFIG="$PG_CONFIG" CI= >"$BUILD/build.log" 2>&1; then
    echo "release_library.sh: release $VERSION does not build against PostgreSQL $PG_VERSION:" >&2
    tail -20 "$BUILD/build.log" >&2
    exit 1
fi
mkdir -p "$(dirname "$TARGET")"
chmod a+rx "$CACHE" "$(dirname "$TARGET")"
install -m 0644 "$BUILD/immutable.so" "$TARGET.tmp"
mv "$TARGET.tmp" "$TARGET"
echo "$TARGET"
