#!/bin/sh
# Prints the folder of a Node.js binary new enough for pg-boss 12 (>= 22.12).
# Uses the machine's node when it is new enough; otherwise brings the Node major in .nvmrc
# from the npm registry (the node-<os>-<arch> package carries the binary) into .tools/node.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
new_enough() {
  "$1" -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a > 22 || (a === 22 && b >= 12) ? 0 : 1)' 2>/dev/null
}
if command -v node >/dev/null 2>&1 && new_enough node; then
  dirname "$(command -v node)"
  exit 0
fi
dir="$root/.tools/node"
if [ -x "$dir/bin/node" ] && new_enough "$dir/bin/node"; then
  echo "$dir/bin"
  exit 0
fi
case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) platform=linux-x64 ;;
  Linux-aarch64 | Linux-arm64) platform=linux-arm64 ;;
  Darwin-arm64) platform=darwin-arm64 ;;
  Darwin-x86_64) platform=darwin-x64 ;;
  *) echo "ensure-node: no Node.js package for $(uname -s) $(uname -m); install Node.js >= 22.12 yourself" >&2; exit 1 ;;
esac
major=$(tr -d ' \n' <"$root/.nvmrc")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "ensure-node: $(node --version 2>/dev/null || echo 'no node') is older than 22.12; fetching node-$platform@$major from the npm registry" >&2
(cd "$tmp" && npm pack --silent "node-$platform@$major" >/dev/null)
tar -xzf "$tmp"/node-"$platform"-*.tgz -C "$tmp"
mkdir -p "$root/.tools"
rm -rf "$dir"
mv "$tmp/package" "$dir"
new_enough "$dir/bin/node" || { echo "ensure-node: the fetched node does not run" >&2; exit 1; }
echo "$dir/bin"
