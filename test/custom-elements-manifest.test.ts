// custom-elements.json as `npm run build` generates it: the element's documented API, whole, in
// the modules the package publishes. Compared with README's element table and the class's JSDoc.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';

interface Named {
  name: string;
  description?: string;
}
interface Declaration {
  tagName?: string;
  attributes?: (Named & { fieldName?: string })[];
  members?: Named[];
  events?: (Named & { type?: { text: string } })[];
  slots?: Named[];
  cssParts?: Named[];
  cssProperties?: Named[];
}
interface Manifest {
  modules: {
    path: string;
    declarations?: Declaration[];
    exports?: { kind: string; name: string; declaration: { module?: string } }[];
  }[];
}

const root = new URL('../', import.meta.url);
const read = (path: string) => readFileSync(new URL(path, root), 'utf8');
const exists = (path: string) => existsSync(new URL(path, root));

function manifest(): Manifest {
  assert.ok(exists('custom-elements.json'), 'custom-elements.json is missing: run `npm run build` first');
  return JSON.parse(read('custom-elements.json')) as Manifest;
}

function serverClock(): Declaration {
  const element = manifest()
    .modules.flatMap((m) => m.declarations ?? [])
    .find((d) => d.tagName === 'server-clock');
  assert.ok(element, 'a declaration with tagName server-clock');
  return element;
}

/** README's element table, as [attribute, property] pairs. */
function readmeAttributes(): [string, string][] {
  const section = read('README.md')
    .split(/^## /m)
    .find((s) => s.startsWith('The element'));
  assert.ok(section, 'README has a section "The element"');
  return [...section.matchAll(/^\| `([\w-]+)` \| `(\w+)` \|/gm)].map((m) => [m[1], m[2]]);
}

/** The names after a JSDoc tag (`@fires`, `@csspart`, `@cssprop`; after its `{type}`, if any) in the element's source. */
function documented(tag: string): string[] {
  return [...read('component/server-clock.ts').matchAll(new RegExp(`^ \\* @${tag}(?: \\{[^}]*\\})? (\\S+)`, 'gm'))].map(
    (m) => m[1],
  );
}

/** The element's event map in its source (`ServerClockElementEventMap`), as [name, event type] pairs. */
function eventMap(): [string, string][] {
  const body = /^export interface ServerClockElementEventMap \{\n([^}]*)\n\}/m.exec(read('component/server-clock.ts'));
  assert.ok(body, 'component/server-clock.ts declares ServerClockElementEventMap');
  return [...body[1].matchAll(/^ {2}'([\w-]+)': (.+);$/gm)].map((m) => [m[1], m[2]]);
}

const names = (list: Named[] = []) => list.map((item) => item.name).sort();

test('package.json points tools at the manifest and publishes it', () => {
  const pkg = JSON.parse(read('package.json')) as {
    customElements?: string;
    files: string[];
    exports: Record<string, unknown>;
  };
  assert.equal(pkg.customElements, 'custom-elements.json');
  assert.ok(pkg.files.includes('custom-elements.json'), 'in "files"');
  assert.equal(pkg.exports['./custom-elements.json'], './custom-elements.json');
});

test("the manifest has every attribute of README's table, with its property, and no other", () => {
  const expected = readmeAttributes();
  assert.ok(expected.length >= 9, `README lists ${expected.length} attributes`);
  const { attributes = [], members = [] } = serverClock();
  assert.deepEqual(attributes.map((a) => [a.name, a.fieldName]).sort(), expected.sort());
  for (const attribute of attributes) assert.ok(attribute.description, `attribute ${attribute.name} has a description`);
  const properties = names(members);
  for (const [, property] of expected) assert.ok(properties.includes(property), `property ${property}`);
  assert.deepEqual(
    properties.filter((name) => name.startsWith('#')),
    [],
    'no private members',
  );
});

test('the manifest has the events, parts and CSS properties of the JSDoc, and no others', () => {
  const element = serverClock();
  const cases = [
    ['fires', element.events],
    ['csspart', element.cssParts],
    ['cssprop', element.cssProperties],
  ] as const;
  for (const [tag, list] of cases) {
    const expected = documented(tag).sort();
    assert.ok(expected.length > 0, `the source documents some @${tag}`);
    assert.deepEqual(names(list), expected, `@${tag}`);
    for (const item of list ?? []) assert.ok(item.description, `${item.name} has a description`);
  }
});

test("the manifest's events are the event map's, with its types, all with the one prefix", () => {
  const expected = eventMap();
  assert.equal(expected.length, 5, 'statechange, sync, error, end and timer');
  const { events = [] } = serverClock();
  assert.deepEqual(events.map((e) => [e.name, e.type?.text]).sort(), expected.sort());
  for (const [name] of expected) assert.match(name, /^server-clock-[a-z]+$/);
});

test('the manifest has the default slot, for the text shown until the time is known', () => {
  const { slots = [] } = serverClock();
  assert.deepEqual(names(slots), [''], 'one slot, the default one');
  assert.match(slots[0].description ?? '', /until the time is known, and without JavaScript/);
});

test('the manifest names the published modules, and the one that defines <server-clock>', () => {
  const { modules } = manifest();
  for (const mod of modules) {
    assert.ok(exists(mod.path), `module ${mod.path} is built`);
    for (const { declaration } of mod.exports ?? [])
      assert.ok(
        declaration.module && exists(declaration.module),
        `export from ${mod.path} refers to ${declaration.module}`,
      );
  }
  const definition = modules.find((m) =>
    m.exports?.some((e) => e.kind === 'custom-element-definition' && e.name === 'server-clock'),
  );
  assert.equal(definition?.path, 'dist/component/define.js');
});
