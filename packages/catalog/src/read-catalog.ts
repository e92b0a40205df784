import {
  listSafeDir,
  lookupSafeDir,
  readSafeFile,
  refusedFinding,
  RefusedFileError,
  type SourceFinding,
} from '@cmsweb/yaml';
import { loadCatalog, type LoadedCatalog, type SourceFile } from './load-catalog.js';

const SERVICES_DIR = 'catalog/services';
const at = (file: string, message: string): SourceFinding => ({
  check: 'file-refused',
  severity: 'error',
  file,
  line: 1,
  column: 1,
  message,
});

/**
 * Shell: reads catalog/cluster.yaml and catalog/services/*.yaml under `root` (through the safe reader:
 * symlinks leaving the repository, FIFOs, devices, directories and invalid UTF-8 are findings) and loads
 * them. A catalog that cannot be read completely (services directory missing, a file, unreadable; any
 * service file refused) has error findings, so no tool acts on a partial catalog. `services`: read only
 * these services' files (validator --scope service:<name>, whose nx inputs are that file and cluster.yaml).
 */
export async function readCatalog(root: string, options: { services?: string[] } = {}): Promise<LoadedCatalog> {
  const refused: SourceFinding[] = [];
  const read = (rel: string): SourceFile | undefined => {
    try {
      const text = readSafeFile(rel, { root });
      if (text === undefined) refused.push(at(rel, `${rel} does not exist`));
      return text === undefined ? undefined : { path: rel, text };
    } catch (e) {
      if (!(e instanceof RefusedFileError)) throw e;
      refused.push(refusedFinding(e));
      return undefined;
    }
  };
  let names: string[] = [];
  try {
    // With `services`, their two possible names are looked up, not the whole folder listed (thousands of files).
    const entries = options.services
      ? lookupSafeDir(
          SERVICES_DIR,
          options.services.flatMap((s) => [`${s}.yaml`, `${s}.yml`]),
          { root },
        )
      : listSafeDir(SERVICES_DIR, { root });
    if (!entries)
      refused.push(
        at(
          SERVICES_DIR,
          `${SERVICES_DIR}/ is missing: expected a directory holding one <service>.yaml per service (nothing is generated or deleted from an incomplete catalog)`,
        ),
      );
    names = (entries ?? []).filter((e) => /\.ya?ml$/.test(e.name)).map((e) => e.name);
  } catch (e) {
    if (!(e instanceof RefusedFileError)) throw e;
    refused.push(refusedFinding(e));
  }
  const cluster = read('catalog/cluster.yaml') ?? { path: 'catalog/cluster.yaml', text: '' };
  // options.services: those services' files only (a missing one is a finding), loaded as a partial catalog.
  const only = options.services?.map((s) => names.find((n) => n === `${s}.yaml` || n === `${s}.yml`) ?? `${s}.yaml`);
  const services = (only ?? names)
    .map((n) => read(`${SERVICES_DIR}/${n}`))
    .filter((f): f is SourceFile => f !== undefined);
  const loaded = loadCatalog(cluster, services, { partial: only !== undefined });
  if (!refused.length) return loaded;
  const { catalog: _dropped, ...rest } = loaded;
  return { ...rest, findings: [...refused, ...loaded.findings] };
}
