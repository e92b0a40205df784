// CMSKubernetes keeps one manifest per service for every environment and marks what only production runs:
// lines commented out with `#PROD#`, and `replicas: 1 #PROD# 5` (testbed 1, production 5). Its deployment
// script (kubernetes/cmsweb/scripts/deploy-srv.sh, the k8s-prod branch) makes the production variant with
// sed: `s,1 #PROD#,,g` then `s,#PROD#,      ,g` (the six-character marker becomes six spaces, so the
// uncommented line keeps its column and the YAML nesting of the commented-out block), `s,logs-cephfs-claim,
// logs-cephfs-claim-prod,g`, `s, #imagetag,:<tag>,g` and `s,k8s #k8s#,k8s-prod,g`. The importer reads that
// production variant. Lines are replaced in place (never added or removed), so every line:column of the
// variant is the line:column of the original file.

export interface VariantOptions {
  /** Environment name the script substitutes (deploy-srv.sh: `prod`). */
  env: string;
}

/** Pure: the production variant of a CMSKubernetes manifest, line for line (see above). */
export function prodVariant(text: string, options: VariantOptions = { env: 'prod' }): string {
  return text
    .replaceAll('1 #PROD#', '')
    .replaceAll('#PROD#', '      ')
    .replaceAll('logs-cephfs-claim', `logs-cephfs-claim-${options.env}`)
    .replaceAll('k8s #k8s#', `k8s-${options.env}`);
}

/** Whether a text uses the CMSKubernetes markers at all (the report says which variant was read). */
export const hasProdMarkers = (text: string): boolean => text.includes('#PROD#');
