/**
 * Loads a Node-only module (fs, stream, zlib, csv-parse's stream parser) on first use. The
 * specifier is passed through a variable so that browser bundlers do not try to resolve it:
 * the browser-safe parts of this package stay bundleable without Node shims.
 */
export function importNode<T>(specifier: string): Promise<T> {
  return import(/* @vite-ignore */ /* webpackIgnore: true */ specifier) as Promise<T>;
}
