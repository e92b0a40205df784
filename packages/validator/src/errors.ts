// Bad input or usage (exit 2): one class for the three tools, defined in @cmsweb/toolkit.
export { UsageError } from '@cmsweb/toolkit';
