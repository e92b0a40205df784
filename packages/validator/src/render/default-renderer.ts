// The renderer a command uses without --renderer, in a module of its own so that the CLI can name it in its
// help without loading any renderer (the native engine loads only when a command runs).

/**
 * native: @cmsweb/helm-engine in-process, byte-identical to helm on every generated chart × environment
 * (npm run conformance -w @cmsweb/helm-engine) and about 8 times less CPU on this repository.
 */
export const DEFAULT_RENDERER = 'native';
