#!/bin/sh
# Install docket to a temporary prefix, build the example plugin there
# against the installed header through pkg-config, and convert with it.
set -eu
src=$1
build=$2
tmp=$(mktemp -d /tmp/docket-example-XXXXXX)
trap 'rm -rf "$tmp"' EXIT

cmake --install "$build" --prefix "$tmp/prefix" >/dev/null
pc=$(find "$tmp/prefix" -name docket.pc)
test -n "$pc" || { echo "docket.pc was not installed"; exit 1; }
cp -R "$src/examples/wordcount" "$tmp/wordcount"
PKG_CONFIG_PATH="$(dirname "$pc")" make -s -C "$tmp/wordcount" \
    DOCKET="$tmp/prefix/bin/docket"

# The installed docket finds its own plugins and the example's folder.
unset DOCKET_PLUGIN_PATH
out=$("$tmp/prefix/bin/docket" --plugin-dir "$tmp/wordcount" -t wordcount \
    "$src/fixtures/text/basic.txt")
expected=$(cat "$src/fixtures/text/basic.expected.wordcount")
if [ "$out" != "$expected" ]; then
    printf 'wordcount output differs:\n%s\nexpected:\n%s\n' "$out" "$expected"
    exit 1
fi
"$tmp/prefix/bin/docket" --plugin-dir "$tmp/wordcount" --list-plugins |
    grep -q "^wordcount .*$tmp/wordcount/wordcount.so\$" ||
    { echo "wordcount missing from --list-plugins"; exit 1; }
"$tmp/prefix/bin/docket" --list-plugins |
    grep -q "^json .*$tmp/prefix/.*/docket/plugins/json.so\$" ||
    { echo "installed docket does not use its installed plugins"; exit 1; }
echo "example plugin: 1 passed, 0 failed"
