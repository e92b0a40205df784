/** Bad input or usage (exit 2): the message names what is wrong and what is expected. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}
