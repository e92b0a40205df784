/**
 * Bad input or usage (exit code 2) in every tool: a wrong option value, a missing file, a catalog that does
 * not load. The message names what is wrong and what would be right; it is printed as is, never with a stack.
 */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}
