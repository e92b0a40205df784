import { policyRule } from '@cmsweb/catalog';
import { fits } from './import-container.js';
import type { ManifestDocument } from './manifest-documents.js';
import { type Field, openDocument, type Plain, reopenDocument, type UsedDocuments } from './tracked-field.js';

// Pure: the pod's ServiceAccount with the Roles/ClusterRoles bound to it → the catalog's serviceAccount.
// When the input defines the ServiceAccount and every role bound to it, the chart creates the account (named
// after the service) with those rules (`rules` for RoleBindings, `clusterRules` for ClusterRoleBindings).
// Otherwise the entry uses the account by name (it exists outside the catalog) and the report says why.

export interface RbacInput {
  account: string;
  namespace: string;
  workload: string;
  documents: ManifestDocument[];
  used: UsedDocuments;
}

const nsOf = (d: ManifestDocument, fallback: string) => d.namespace ?? fallback;

export function importServiceAccount(input: RbacInput): Plain {
  const { account, namespace, documents, used } = input;
  const sa = documents.find(
    (d) => d.kind === 'ServiceAccount' && d.name === account && nsOf(d, namespace) === namespace,
  );
  const boundTo = (b: ManifestDocument) => {
    const subjects = (b.object.subjects as Plain[] | undefined) ?? [];
    return subjects.some(
      (s) =>
        s.kind === 'ServiceAccount' &&
        s.name === account &&
        ((s.namespace as string | undefined) ?? nsOf(b, namespace)) === namespace,
    );
  };
  const bindings = documents.filter(
    (d) =>
      (d.kind === 'ClusterRoleBinding' || (d.kind === 'RoleBinding' && nsOf(d, namespace) === namespace)) && boundTo(d),
  );
  const roleOf = (b: ManifestDocument) => {
    const ref = b.object.roleRef as Plain | undefined;
    return documents.find(
      (d) =>
        d.kind === ref?.kind && d.name === ref?.name && (d.kind === 'ClusterRole' || nsOf(d, namespace) === namespace),
    );
  };
  const missing = bindings.filter((b) => !roleOf(b));
  if (!sa || missing.length) {
    const why = !sa
      ? `the ServiceAccount ${account} is not in the input: the entry uses it by name (serviceAccount.name)`
      : `binds roles the input does not define (${missing.map((b) => `${String((b.object.roleRef as Plain | undefined)?.kind)} ${String((b.object.roleRef as Plain | undefined)?.name)}`).join(', ')}): the entry uses the ServiceAccount ${account} by name, created and bound outside the catalog`;
    for (const d of sa ? [sa, ...bindings] : bindings) {
      openDocument(d, used).drop(why);
    }
    return { name: account };
  }
  const out: Plain = {};
  const sroot = track(sa, used);
  header(sroot);
  if (sroot.get('automountServiceAccountToken').present)
    out.automountToken = sroot.get('automountServiceAccountToken').take();
  for (const b of bindings) {
    const broot = track(b, used);
    header(broot);
    broot.get('roleRef').take();
    for (const s of broot.get('subjects').items()) {
      if (s.get('name').value === account && s.get('kind').value === 'ServiceAccount') s.take();
      else s.drop(`only the workload's own ServiceAccount is imported as a subject`);
    }
    const role = roleOf(b)!;
    const rroot = track(role, used);
    header(rroot);
    const key = b.kind === 'ClusterRoleBinding' ? 'clusterRules' : 'rules';
    for (const r of rroot.get('rules').items()) {
      const rule = fits(policyRule, r.value, r, 'policy rule');
      if (rule) {
        r.take();
        out[key] = [...((out[key] as Plain[] | undefined) ?? []), rule];
      }
    }
    rroot.get('aggregationRule').drop('aggregated ClusterRoles are not expressible');
  }
  return out;
}

const track = reopenDocument;

function header(root: Field): void {
  for (const k of ['apiVersion', 'kind']) root.get(k).take();
  root.get('metadata').get('name').drop('the chart names its RBAC objects after the service');
  root.get('metadata').get('namespace').take();
  root.get('metadata').get('labels').drop('the chart labels its RBAC objects');
}
