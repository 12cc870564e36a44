// Every code block of README.md and PROTOCOL.md, run as a user would copy it: one test per block,
// named FILE:LINE. How each runs, and what it must do, is in the marker above it; the syntax and
// the rewrite rules that make it run here are at the top of test/snippets/runner.ts.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { codeBlocks } from './snippets/markdown.js';
import { SnippetWorld } from './snippets/runner.js';

const DOCS = ['README.md', 'PROTOCOL.md'];
const world = new SnippetWorld();
after(() => world.close());

for (const file of DOCS) {
  const text = readFileSync(fileURLToPath(new URL(`../${file}`, import.meta.url)), 'utf8');
  const blocks = codeBlocks(text, file);

  test(`${file}: every fence is a block the runner sees`, () => {
    const fences = text.split('\n').filter((line) => /^ {0,3}(```|~~~)/.test(line)).length;
    assert.equal(fences % 2, 0, 'fences come in pairs');
    assert.equal(blocks.filter((b) => b.fenced).length, fences / 2);
  });

  for (const block of blocks) {
    const kind = block.marker?.kind ?? 'unmarked';
    const name = `${file}:${block.line} ${kind}${block.lang ? ` ${block.lang}` : ''}`;
    if (block.marker?.kind === 'skip') test(name, { skip: block.marker.reason }, () => undefined);
    else test(name, { timeout: 180_000 }, () => world.run(block));
  }
}
