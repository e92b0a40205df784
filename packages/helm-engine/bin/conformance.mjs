#!/usr/bin/env node
// Renders with the native engine and with the real helm and prints the comparison table (see README.md).
// Usage: conformance [generated] [cases] [set] [corpus]   (default: all four). Exit 1 on any mismatch.
import { conformance, formatTable } from '../dist/conformance/index.js';

const { rows } = await conformance(process.argv.slice(2));
process.stdout.write(`${formatTable(rows)}\n`);
process.exit(rows.some((r) => r.mismatches.some((m) => m.outcome.kind === 'mismatch')) ? 1 : 0);
