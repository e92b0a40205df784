import { z } from 'zod';
import { DNS_LABEL, ENVIRONMENT_NAME, SERVICE_NAME_MAX, zodIssuesToFindings } from '@cmsweb/catalog';
import { locate, parseYaml, toJs, type SourceFinding } from '@cmsweb/yaml';

// The clients file of `gitops-sync serve` (pure: text in, clients or findings out). Who may post bumps,
// for which services and environments, at what rate, and where each client's secret is: a file or an
// environment variable. The secret itself is never in this file (nor in the repository).

const serviceName = z
  .string()
  .refine(
    (s) => s === '*' || (DNS_LABEL.test(s) && s.length <= SERVICE_NAME_MAX),
    'a service name (lowercase DNS-1123 label, at most 53 characters) or "*" for every service',
  );

const client = z
  .strictObject({
    /** Sent by the client in X-Imagebot-Client; in logs and in the commit's Requested-By. */
    name: z
      .string()
      .regex(/^[a-z0-9]([a-z0-9._-]{0,61}[a-z0-9])?$/, 'a client name such as dbs-ci (a-z, 0-9, ".", "_", "-")'),
    /** An absolute path to a file holding the secret (outside the repository). */
    secretFile: z
      .string()
      .regex(/^\/[^\u0000-\u001f\u007f]*$/, 'an absolute path such as /etc/imagebot/dbs-ci.key')
      .optional(),
    /** The name of an environment variable of the server process holding the secret. */
    secretEnv: z
      .string()
      .regex(/^[A-Z_][A-Z0-9_]{0,127}$/, 'an environment variable name such as IMAGEBOT_DBS_CI_SECRET')
      .optional(),
    /** The services this client may bump ("*": every service). */
    services: z.array(serviceName).min(1),
    /** The environments this client may change; default: the testbed only. */
    environments: z.array(z.string().regex(ENVIRONMENT_NAME, 'an environment name such as dev')).min(1).optional(),
    /** At most `requests` accepted requests per `perSeconds` (a token bucket); default 30 per 60 s. */
    rateLimit: z
      .strictObject({
        requests: z.number().int().min(1).max(100_000),
        perSeconds: z.number().int().min(1).max(86_400),
      })
      .optional(),
    /** The commit author and Requested-By trailer; default "<name> (imagebot) <<name>@imagebot.invalid>". */
    requester: z
      .string()
      .regex(/^[^<>\u0000-\u001f\u007f]+ <[^<>\s@]+@[^<>\s@]+>$/, 'an identity such as "DBS CI <dbs-ci@cern.ch>"')
      .optional(),
  })
  .refine((c) => (c.secretFile === undefined) !== (c.secretEnv === undefined), {
    message: 'expected exactly one of secretFile or secretEnv (the secret itself is never written in this file)',
  });

const clientsFile = z.strictObject({ clients: z.array(client).min(1) });

export interface WebhookClient {
  name: string;
  secret: { file: string } | { env: string };
  /** Where the client's secret source is declared, for errors about the secret (file:line:column). */
  secretAt: string;
  services: string[] | '*';
  /** undefined: the testbed only. */
  environments?: string[];
  rate: { requests: number; perSeconds: number };
  requester: string;
}

export const DEFAULT_RATE = { requests: 30, perSeconds: 60 } as const;

export function parseClientsFile(path: string, text: string): { clients: WebhookClient[]; findings: SourceFinding[] } {
  const parsed = parseYaml(text, path);
  if (parsed.findings.some((f) => f.severity === 'error')) return { clients: [], findings: parsed.findings };
  const value = toJs(parsed)[0];
  const r = clientsFile.safeParse(value);
  if (!r.success) {
    const findings = zodIssuesToFindings(r.error.issues, parsed, clientsFile, value).map((f) => ({
      ...f,
      check: 'clients-file',
    }));
    return { clients: [], findings };
  }
  const findings: SourceFinding[] = [];
  const at = (path: (string | number)[]) => locate(parsed, 0, path);
  const seen = new Map<string, number>();
  const clients = r.data.clients.map((c, i): WebhookClient => {
    const first = seen.get(c.name);
    if (first !== undefined)
      findings.push({
        ...at(['clients', i, 'name']),
        check: 'clients-file',
        severity: 'error',
        message: `client name ${JSON.stringify(c.name)} is already used by clients[${first}]: expected each name once`,
      });
    else seen.set(c.name, i);
    const loc = at(['clients', i, c.secretFile !== undefined ? 'secretFile' : 'secretEnv']);
    return {
      name: c.name,
      secret: c.secretFile !== undefined ? { file: c.secretFile } : { env: c.secretEnv! },
      secretAt: `${loc.file}:${loc.line}:${loc.column}`,
      services: c.services.includes('*') ? '*' : [...new Set(c.services)],
      ...(c.environments ? { environments: [...new Set(c.environments)] } : {}),
      rate: c.rateLimit ?? DEFAULT_RATE,
      requester: c.requester ?? `${c.name} (imagebot) <${c.name}@imagebot.invalid>`,
    };
  });
  return { clients: findings.length ? [] : clients, findings };
}

/** Why this client may not bump `service` in `env` (undefined when it may). */
export function permissionProblem(c: WebhookClient, service: string, env: string, testbed: string): string | undefined {
  const envs = c.environments ?? [testbed];
  if (!envs.includes(env))
    return `client ${c.name} may not change environment ${env}: it may change ${envs.join(', ')}${c.environments ? '' : ' (the testbed, by default)'}`;
  if (c.services !== '*' && !c.services.includes(service))
    return `client ${c.name} may not bump service ${service}: it may bump ${c.services.join(', ')}`;
  return undefined;
}
