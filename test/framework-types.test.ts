// The types the package ships for frameworks, checked as a consumer's code where the packed
// package is installed (the README snippets' `types` kind, test/snippets/runner.ts, with its
// rule 8 for React): what is right type-checks, and a wrong attribute value does not.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Block } from './snippets/markdown.js';
import { SnippetWorld } from './snippets/runner.js';

const world = new SnippetWorld();
after(() => world.close());

let line = 0;
/** A consumer's file, checked like a README `types` snippet. */
function consumer(lang: 'ts' | 'tsx', body: string): Block {
  // The runner names each file after its block's line: one of its own for each consumer here.
  return {
    file: 'test/framework-types.test.ts',
    line: ++line,
    lang,
    body,
    fenced: true,
    marker: { kind: 'types', attributes: [] },
  };
}

const REACT_JSX = `/** @jsxImportSource react */
import type {} from 'server-clock/jsx';
`;

test('server-clock/jsx: React 19 JSX knows <server-clock>, its attributes and events', async () => {
  await world.run(
    consumer(
      'tsx',
      `${REACT_JSX}
export const clock = (
  <server-clock
    url="https://time.example"
    time-zone="Europe/Paris"
    format="datetime"
    onserver-clock-sync={(e) => console.log(e.detail.uncertainty.toFixed(1))}
  />
);
`,
    ),
  );
});

test('server-clock/jsx: a format the element does not have is a type error', async () => {
  await assert.rejects(
    world.run(consumer('tsx', `${REACT_JSX}\nexport const clock = <server-clock url="/" format="weekday" />;\n`)),
    /tsc found errors:[\s\S]*"weekday"[\s\S]*ClockFormat/,
  );
});

test('server-clock/jsx: an event handler gets the event detail typed', async () => {
  await assert.rejects(
    world.run(
      consumer(
        'tsx',
        `${REACT_JSX}\nexport const clock = <server-clock url="/" onserver-clock-sync={(e) => e.detail.nope} />;\n`,
      ),
    ),
    /tsc found errors:[\s\S]*nope/,
  );
});

for (const framework of ['preact', 'solid-js']) {
  test(`server-clock/jsx: ${framework}'s JSX knows <server-clock>; a wrong format fails`, async () => {
    const head = `/** @jsxImportSource ${framework} */\nimport type {} from 'server-clock/jsx';\n`;
    await world.run(consumer('tsx', `${head}export const clock = <server-clock url="/" time-zone="Asia/Tokyo" />;\n`));
    await assert.rejects(
      world.run(consumer('tsx', `${head}export const clock = <server-clock url="/" format="weekday" />;\n`)),
      /tsc found errors:[\s\S]*"weekday"/,
    );
  });
}

test('server-clock/react: typed props and events; a wrong prop type fails', async () => {
  await world.run(
    consumer(
      'tsx',
      `${REACT_JSX}import { ServerClock } from 'server-clock/react';
export const clock = (
  <ServerClock url="https://time.example" timeZone="Europe/Paris" onSync={(e) => e.detail.offset.toFixed(1)} />
);
`,
    ),
  );
  await assert.rejects(
    world.run(
      consumer(
        'tsx',
        `${REACT_JSX}import { ServerClock } from 'server-clock/react';\nexport const clock = <ServerClock url="/" format="weekday" />;\n`,
      ),
    ),
    /tsc found errors:[\s\S]*"weekday"/,
  );
});

test('server-clock/vue: the element among the components it gives Vue', async () => {
  // Vue itself is not installed here: this checks the entry and the tag, not Vue's templates.
  await world.run(
    consumer(
      'ts',
      `import type { CustomElements } from 'server-clock/vue';\nexport const tag: keyof CustomElements = 'server-clock';\n`,
    ),
  );
});

test('server-clock/svelte: the element types, by tag; a wrong format fails', async () => {
  await world.run(
    consumer(
      'ts',
      `import type {} from 'server-clock/svelte';
export const props: svelteHTML.IntrinsicElements['server-clock'] = { url: 'https://time.example', 'time-zone': 'Asia/Tokyo' };
`,
    ),
  );
  await assert.rejects(
    world.run(
      consumer(
        'ts',
        `import type {} from 'server-clock/svelte';
export const props: svelteHTML.IntrinsicElements['server-clock'] = { url: '/', format: 'weekday' };
`,
      ),
    ),
    /tsc found errors:[\s\S]*"weekday"/,
  );
});
