// A stand-in validator for the gate tests (GITOPS_SYNC_VALIDATOR points at it): passes every overlay,
// reports a finding for tags containing "broken"; "crash" makes it exit 3. Speaks the validator's
// documented interface: repeated --service, JSON findings with severity and service.
const fs = require('node:fs');
const a = process.argv.slice(2);
const arg = (k) => a[a.indexOf(k) + 1];
if (arg('--output') !== 'json') process.exit(2);
const services = a.filter((_x, i) => a[i - 1] === '--service');
const findings = [];
for (const s of services) {
  const rel = 'environments/' + arg('--env') + '/values/' + s + '.yaml';
  const text = fs.readFileSync(arg('--root') + '/' + rel, 'utf8');
  if (text.includes('crash')) {
    console.error('validator: internal error');
    process.exit(3);
  }
  if (text.includes('broken'))
    findings.push({
      check: 'image-pull',
      severity: 'error',
      service: s,
      file: rel,
      line: 3,
      message: 'image tag broken does not exist in the registry',
    });
}
console.log(JSON.stringify({ summary: { resources: 1, errors: findings.length, warnings: 0 }, findings }));
process.exit(findings.length ? 1 : 0);
