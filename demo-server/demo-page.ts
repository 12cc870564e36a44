import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The CDN bundle the demo page loads: beside this module in `dist/`, or in `dist/` from source. */
export function findCdnBundle(): string | undefined {
  return ['../cdn/server-clock.js', '../dist/cdn/server-clock.js']
    .map((rel) => fileURLToPath(new URL(rel, import.meta.url)))
    .find((file) => existsSync(file));
}

/** The demo page: the CDN bundle from this server and clocks pointed at it. No inline script or style. */
export function demoPage(): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>server-clock demo</title>
<script type="module" src="/cdn/server-clock.js"></script>
</head>
<body>
<h1>server-clock</h1>
<p>The time below is this server's, corrected for network delay, whatever this computer's clock says.</p>
<server-clock id="main" url="/">--:--:--</server-clock>
</body>
</html>
`;
}
