import { helmRenderer } from './helm-renderer.js';
import { nativeRenderer } from './native-renderer.js';
import type { Renderer } from './renderer.js';

/** Renderers selectable with --renderer. */
export const RENDERERS: Record<string, Renderer> = { helm: helmRenderer, native: nativeRenderer };
export { DEFAULT_RENDERER } from './default-renderer.js';
