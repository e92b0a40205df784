// `npm ci` (postinstall): writes node_modules/.cmsweb/nx-plugin.cjs, the name nx.json registers the
// repository's nx plugin by. Why not `./tools/nx-plugin/index.cjs` directly: nx resolves a plugin whose path
// lies in the workspace outside node_modules as a possible workspace project, and to find out it first reads
// every project.json and package.json of the workspace with a glob over all its files
// (resolve-plugin.js, retrieveProjectConfigurationsWithoutPluginInference): at 5,000 services (about 100,000
// files) that glob was a third of each nx command's CPU. A file inside node_modules skips that lookup. It only
// forwards to tools/nx-plugin/index.cjs of the workspace nx runs in, so the plugin's code stays in the
// repository and a change to it takes effect without reinstalling.
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const target = join(root, 'node_modules', '.cmsweb', 'nx-plugin.cjs');
const code = `// Written by \`npm ci\` (scripts/link-nx-plugin.mjs): the nx plugin of the workspace nx runs in.
const { join } = require('node:path');
// nx's own idea of the workspace root (where nx.json is), the directory its createNodes globs are relative to.
const { workspaceRoot } = require('nx/src/utils/workspace-root');
module.exports = require(join(workspaceRoot, 'tools', 'nx-plugin', 'index.cjs'));
`;
mkdirSync(dirname(target), { recursive: true });
writeFileSync(`${target}.tmp`, code);
renameSync(`${target}.tmp`, target);
