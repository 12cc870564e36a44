// Types for browsers.mjs, for the Node tests written in TypeScript.
export interface BrowserInfo {
  /** The environment variable that overrides `path`. */
  env: string;
  path: string;
  /** The Debian package that provides it. */
  apt: string;
}

export const BROWSERS: { chromium: BrowserInfo; firefox: BrowserInfo };
export function selectedBrowsers(): ('chromium' | 'firefox')[];
export function isExecutable(path: string): boolean;
export const CHROMIUM_ARGS: string[];
