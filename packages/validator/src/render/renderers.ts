import { helmRenderer } from './helm-renderer.js';
import type { Renderer } from './renderer.js';

/** Renderers selectable with --renderer. */
export const RENDERERS: Record<string, Renderer> = { helm: helmRenderer };
export const DEFAULT_RENDERER = 'helm';
