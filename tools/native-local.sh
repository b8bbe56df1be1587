#!/usr/bin/env bash
# npm run native:local — the native TensorFlow backend (@tensorflow/tfjs-node) without its download.
#
# tfjs-node's install script downloads libtensorflow from Google's storage, which fails on machines
# that reach only package registries. pip's tensorflow-cpu wheel carries the same C library
# (libtensorflow_cc.so.2 exports the C and eager C APIs, libtensorflow_framework.so.2 the rest) and
# its headers, so this script:
#   1. takes the wheel from pip (`pip download tensorflow-cpu`, cached in node_modules/.cache),
#   2. installs @tensorflow/tfjs-node without its install script (`npm install --no-save`:
#      package.json and package-lock.json stay as they are),
#   3. puts the wheel's libraries and C headers where tfjs-node's binding.gyp looks (deps/),
#   4. builds the binding with node-gyp against the local Node headers (no header download),
#   5. checks that the backend loads and multiplies two matrices.
# Optional and never part of `npm ci` / `npm test`; `npm ci` removes it again. Users whose machines
# reach the official download install @tensorflow/tfjs-node the normal way instead.
#
# Environment: PYTHON (default python3), TF_VERSION (default 2.21.0), NODEDIR (directory holding
# include/node/common.gypi; default: next to the node binary, then /usr).
set -euo pipefail

TF_VERSION="${TF_VERSION:-2.21.0}"
TFJS_NODE_VERSION="4.22.0"
PYTHON="${PYTHON:-python3}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cache="$root/node_modules/.cache/medrl-native"
say() { printf 'native:local: %s\n' "$*" >&2; }

mkdir -p "$cache"
wheel="$(ls "$cache"/tensorflow_cpu-"$TF_VERSION"-*.whl 2>/dev/null | head -n 1 || true)"
if [ -z "$wheel" ]; then
  say "pip download tensorflow-cpu==$TF_VERSION (about 270 MB) into $cache"
  "$PYTHON" -m pip download --no-deps --only-binary=:all: -d "$cache" "tensorflow-cpu==$TF_VERSION" >&2
  wheel="$(ls "$cache"/tensorflow_cpu-"$TF_VERSION"-*.whl | head -n 1)"
fi
say "wheel: $wheel"

say "npm install --no-save --ignore-scripts @tensorflow/tfjs-node@$TFJS_NODE_VERSION"
(cd "$root" && npm install --no-save --ignore-scripts --no-audit --no-fund "@tensorflow/tfjs-node@$TFJS_NODE_VERSION" >&2)
pkg="$root/node_modules/@tensorflow/tfjs-node"

say "extracting the TensorFlow C library and headers into $pkg/deps"
rm -rf "$pkg/deps" "$pkg/build" "$pkg/lib"
mkdir -p "$pkg/deps/lib" "$pkg/deps/include"
"$PYTHON" - "$wheel" "$pkg/deps" <<'PY'
import os, shutil, sys, zipfile
wheel, deps = sys.argv[1], sys.argv[2]
libs = {"tensorflow/libtensorflow_cc.so.2", "tensorflow/libtensorflow_framework.so.2"}
# The C API headers and the few headers they include.
headers = ("tensorflow/include/tensorflow/c/", "tensorflow/include/tensorflow/core/platform/",
           "tensorflow/include/tsl/platform/", "tensorflow/include/xla/tsl/c/")
found = set()
with zipfile.ZipFile(wheel) as z:
    for name in z.namelist():
        if name in libs:
            target = f"{deps}/lib/{name.rsplit('/', 1)[1]}"
            found.add(name)
        elif name.startswith(headers) and not name.endswith("/"):
            target = f"{deps}/include/{name[len('tensorflow/include/'):]}"
        else:
            continue
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with z.open(name) as src, open(target, "wb") as dst:
            shutil.copyfileobj(src, dst)
missing = libs - found
if missing:
    sys.exit(f"{wheel} lacks {sorted(missing)}")
PY
# binding.gyp links -ltensorflow -ltensorflow_framework; at run time the sonames are what load.
ln -sf libtensorflow_cc.so.2 "$pkg/deps/lib/libtensorflow.so"
ln -sf libtensorflow_framework.so.2 "$pkg/deps/lib/libtensorflow_framework.so"

nodedir="${NODEDIR:-}"
if [ -z "$nodedir" ]; then
  for candidate in "$(dirname "$(dirname "$(command -v node)")")" /usr /usr/local; do
    if [ -f "$candidate/include/node/common.gypi" ]; then nodedir="$candidate"; break; fi
  done
fi
if [ -z "$nodedir" ]; then
  say "no Node headers found (include/node/common.gypi): install them (Debian: the nodejs or libnode-dev package) or set NODEDIR"
  exit 1
fi
gyp="$(npm root -g)/npm/node_modules/node-gyp/bin/node-gyp.js"
[ -f "$gyp" ] || gyp="$(command -v node-gyp || true)"
[ -n "$gyp" ] || { say "node-gyp not found (it ships with npm)"; exit 1; }
pregyp="$(cd "$root" && node -p "require.resolve('@mapbox/node-pre-gyp/bin/node-pre-gyp')")"

say "building the binding (node headers: $nodedir/include/node; a few minutes)"
(cd "$pkg" && npm_config_node_gyp="$gyp" node "$pregyp" rebuild --build-from-source --nodedir="$nodedir" >&2)

say "checking the backend"
(cd "$root" && node --input-type=module -e "
const tf = await import('@tensorflow/tfjs-node');
const v = tf.matMul(tf.tensor2d([1, 2, 3, 4], [2, 2]), tf.tensor2d([5, 6, 7, 8], [2, 2])).dataSync().join(',');
if (v !== '19,22,43,50') throw new Error('wrong matmul: ' + v);
console.error('native:local: ok: backend ' + tf.getBackend() + ', TensorFlow ' + tf.version.tfjs + ' binding on the C library of tensorflow-cpu $TF_VERSION');
" 2>&1 | grep -v -E '^(WARNING: All log messages|I0000|To enable the following)' >&2)
