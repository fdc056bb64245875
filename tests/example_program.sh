#!/bin/sh
# Install docket to a temporary prefix, build the example program there
# against the installed docket with find_package (and once more with
# pkg-config), and convert in-process: the same bytes as the command.
set -eu
src=$1
build=$2
# the sanitizer flags libdocket was built with, if any: a program linking
# an instrumented library must be instrumented too
sanitize=${3:-}
tmp=$(mktemp -d /tmp/docket-program-XXXXXX)
trap 'rm -rf "$tmp"' EXIT

cmake --install "$build" --prefix "$tmp/prefix" >/dev/null
cp -R "$src/examples/convert" "$tmp/convert"
cmake -S "$tmp/convert" -B "$tmp/convert/build" \
    -DCMAKE_PREFIX_PATH="$tmp/prefix" -DCMAKE_C_FLAGS="$sanitize" >/dev/null
cmake --build "$tmp/convert/build" >/dev/null

pc=$(dirname "$(find "$tmp/prefix" -name docket.pc)")
cc $sanitize -o "$tmp/convert-pc" "$src/examples/convert/convert.c" \
    $(PKG_CONFIG_PATH="$pc" pkg-config --cflags --libs docket) \
    -Wl,-rpath,"$(PKG_CONFIG_PATH="$pc" pkg-config --variable=libdir docket)"

# no environment: the library finds its plugins from where it is installed
unset DOCKET_PLUGIN_PATH
fixture="$src/fixtures/seeds/pcc-letter-2018-peel-effectiveness.txt"
"$tmp/prefix/bin/docket" -t xml "$fixture" > "$tmp/want.xml"
for program in "$tmp/convert/build/convert" "$tmp/convert-pc"; do
    "$program" xml "$fixture" > "$tmp/got.xml"
    if ! cmp -s "$tmp/want.xml" "$tmp/got.xml"; then
        echo "$program: the in-process conversion differs from the command's"
        exit 1
    fi
done
grep -q '<letter>' "$tmp/got.xml"
# and the man pages and completion are installed
test -f "$tmp/prefix/share/man/man1/docket.1"
test -f "$tmp/prefix/share/man/man7/docket-plugin.7"
test -f "$tmp/prefix/share/bash-completion/completions/docket"
echo "example program: 1 passed, 0 failed"
