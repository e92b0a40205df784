import { parseYaml, toJs } from '@cmsweb/yaml';
import { statusHtml } from '../format-html.js';
import { readBlobs, resolveCommit } from '../shell/git.js';
import { status } from './read-only.js';

// `status --html FILE` and the server's `GET /`: the status matrix as a page, with each service's namespace
// and team from the catalog at the same commit.

export async function statusPage(
  flags: { root: string; ref?: string; namespace?: string; team?: string; action?: string },
  env: NodeJS.ProcessEnv = process.env,
): Promise<string> {
  const s = await status({ root: flags.root, ...(flags.ref !== undefined ? { ref: flags.ref } : {}) }, env);
  const commit = (await resolveCommit(flags.root, s.commit)) ?? s.commit;
  const services = s.services.map((r) => r.service);
  const paths = ['catalog/cluster.yaml', ...services.map((x) => `catalog/services/${x}.yaml`)];
  const blobs = await readBlobs(
    flags.root,
    paths.map((p) => `${commit}:${p}`),
  );
  const doc = (p: string): any => {
    const text = blobs.get(`${commit}:${p}`);
    return text ? toJs(parseYaml(text, p))[0] : undefined;
  };
  const namespaces = new Map<string, string>();
  for (const x of services) {
    const ns = doc(`catalog/services/${x}.yaml`)?.namespace;
    if (typeof ns === 'string') namespaces.set(x, ns);
  }
  const teams = new Map<string, string>();
  const cluster = doc('catalog/cluster.yaml');
  const list = cluster?.namespaces;
  // The page names the organisation as cluster.yaml does (displayName, else name), CMSWEB or any other.
  const title = [cluster?.displayName, cluster?.name].find((v): v is string => typeof v === 'string' && v !== '');
  for (const n of Array.isArray(list) ? list : [])
    if (typeof n?.name === 'string' && typeof n?.team === 'string') teams.set(n.name, n.team);
  return statusHtml(s, {
    namespaces,
    teams,
    filter: {
      ...(flags.namespace ? { namespace: flags.namespace } : {}),
      ...(flags.team ? { team: flags.team } : {}),
    },
    action: flags.action ?? '',
    ...(title ? { title } : {}),
  });
}
