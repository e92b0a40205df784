/** Whether DEBUG asks for stack traces: only `1` or `true` (any case); `0`, `false` or empty do not. */
export function debugWanted(value: string | undefined): boolean {
  return value === '1' || value?.toLowerCase() === 'true';
}
