#!/bin/sh
# Builds the package into dist/ (run by `npm install` in this repo, `npm pack` and git-URL installs
# through the `prepare` script): the TypeScript compiler turns lib/, server/, client/ and cli/ into
# JavaScript and declaration files (the dashboard's .tsx pages too), the dashboard's static files are
# copied next to its code, and the ReDoc page's script is copied from the redoc package
# (a devDependency: its one file ships with us instead of its hundred-odd packages).
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
bin=$(sh scripts/ensure-node.sh)
rm -rf dist
"$bin/node" node_modules/typescript/bin/tsc -p tsconfig.build.json
mkdir -p dist/server/assets
cp node_modules/redoc/bundles/redoc.standalone.js dist/server/assets/redoc.standalone.js
# The bundle's own notices and redoc's MIT licence travel with the copy.
cat node_modules/redoc/LICENSE node_modules/redoc/bundles/redoc.standalone.js.LICENSE.txt \
  >dist/server/assets/redoc.standalone.js.LICENSE.txt
# The dashboard's stylesheet and script are plain files next to its code (server/ui/assets/).
cp -R server/ui/assets dist/server/ui/assets
chmod +x dist/cli/index.js
