#!/bin/sh
# libdocket exports exactly the functions its installed headers declare
# with DK_API: nothing internal leaks, nothing documented is missing.
set -eu
include=$1
lib=$2
tmp=$(mktemp -d /tmp/docket-exports-XXXXXX)
trap 'rm -rf "$tmp"' EXIT

# the function each "DK_API ... dk_name(" declares (declarations may span
# lines; the name is the last word before the first parenthesis)
cat "$include"/docket/*.h | tr '\n' ' ' | sed 's/DK_API/\nDK_API/g' |
    grep '^DK_API' | sed 's/(.*//' | grep -o 'dk_[a-z0-9_]*$' | sort -u > "$tmp/declared"
nm -D --defined-only "$lib" | awk '$2 == "T" || $2 == "D" || $2 == "B" { print $3 }' |
    grep -v '^_' | sort -u > "$tmp/exported"

if ! cmp -s "$tmp/declared" "$tmp/exported"; then
    echo "exported by libdocket but not declared with DK_API (<) or declared but not exported (>):"
    diff "$tmp/exported" "$tmp/declared" || true
    exit 1
fi
echo "exports: $(wc -l < "$tmp/exported") functions, all declared in the headers"
