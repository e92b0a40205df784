import { helmRenderer } from './helm-renderer.js';
import { pooledNativeRenderer } from './native-pool.js';
import type { Renderer } from './renderer.js';

/**
 * Renderers selectable with --renderer. native: the in-process renderer of native-renderer.ts on a pool of
 * worker threads (native-pool.ts), with a timeout and a heap limit per render.
 */
export const RENDERERS: Record<string, Renderer> = { helm: helmRenderer, native: pooledNativeRenderer };
export { DEFAULT_RENDERER } from './default-renderer.js';
