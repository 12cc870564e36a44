// The snippet runner itself: how it reads markers, what its rewrite rules make of a text, and that
// it fails what it should (an unmarked block, a command it has no rule for, a type error).
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { codeBlocks, parseMarker } from './markdown.js';
import { planShell, portsIn, rewrite, type Places } from './rules.js';
import { SnippetWorld, parseHttpExpectation, pattern } from './runner.js';

const fence = '```';

describe('markers', () => {
  test('kind, attributes in three quotings, repeated, in order; skip with its reason', () => {
    assert.deepEqual(parseMarker(`: node expect-stdout="/a b/" expect-js='x === "y"' expect-stdout=plain`), {
      kind: 'node',
      attributes: [
        ['expect-stdout', '/a b/'],
        ['expect-js', 'x === "y"'],
        ['expect-stdout', 'plain'],
      ],
    });
    assert.deepEqual(parseMarker(': skip (needs a real CDN)'), {
      kind: 'skip',
      reason: 'needs a real CDN',
      attributes: [],
    });
    assert.deepEqual(parseMarker(': types'), { kind: 'types', attributes: [] });
  });

  test('refused: an unknown kind or attribute, a skip without a reason, a runnable snippet that expects nothing', () => {
    assert.throws(() => parseMarker(': python expect="x"'), /unknown snippet kind "python"/);
    assert.throws(() => parseMarker(': node expect="x"'), /a node snippet takes no "expect"/);
    assert.throws(() => parseMarker(': skip'), /a skip says why/);
    assert.throws(() => parseMarker(': skip ()'), /a skip says why/);
    assert.throws(() => parseMarker(': browser page="<p>"'), /says what to expect/);
    assert.throws(() => parseMarker(': shell expect-http="/health 200" oops'), /cannot read the marker's attributes/);
  });

  test('every block is found, marked or not, fenced or indented; a marker must be on the line directly above', () => {
    const doc = [
      '# Title', // 1
      '<!-- snippet: node expect-stdout="hi" -->', // 2
      `${fence}js`, // 3
      "console.log('hi');", // 4
      fence, // 5
      '', // 6
      `${fence}sh`, // 7: unmarked
      'npm start', // 8
      fence, // 9
      '<!-- snippet: skip (a blank line follows) -->', // 10
      '', // 11
      '~~~~html', // 12: a longer fence holds a shorter one
      fence, // 13
      '~~~~', // 14
      'Some text:', // 15
      '', // 16
      '    an indented block', // 17
      '', // 18
      '- a list item', // 19
      '', // 20
      '    its continuation, not code', // 21
      '', // 22
      '<!-- snippet: skip (a formula) -->', // 23
      '    a ≤ b', // 24
    ].join('\n');
    const found = codeBlocks(doc, 'DOC.md').map(({ line, lang, body, fenced, marker, error }) => ({
      line,
      lang,
      body,
      fenced,
      kind: marker?.kind,
      error: error?.replace(/ \(.*/, ''),
    }));
    assert.deepEqual(found, [
      { line: 3, lang: 'js', body: "console.log('hi');", fenced: true, kind: 'node', error: undefined },
      {
        line: 7,
        lang: 'sh',
        body: 'npm start',
        fenced: true,
        kind: undefined,
        error: 'no <!-- snippet: … --> marker on the line above',
      },
      { line: 10, lang: '', body: '', fenced: false, kind: undefined, error: 'a marker with no code block under it' },
      {
        line: 12,
        lang: 'html',
        body: fence,
        fenced: true,
        kind: undefined,
        error: 'no <!-- snippet: … --> marker on the line above',
      },
      {
        line: 17,
        lang: '',
        body: 'an indented block',
        fenced: false,
        kind: undefined,
        error: 'no <!-- snippet: … --> marker on the line above',
      },
      { line: 24, lang: '', body: 'a ≤ b', fenced: false, kind: 'skip', error: undefined },
    ]);
  });

  test('expect-http and patterns', () => {
    assert.deepEqual(parseHttpExpectation('/health 200 ok'), { path: '/health', status: 200, body: 'ok' });
    assert.deepEqual(parseHttpExpectation('/socket.io/?EIO=4 origin=https://a.example 403'), {
      path: '/socket.io/?EIO=4',
      origin: 'https://a.example',
      status: 403,
    });
    assert.deepEqual(parseHttpExpectation('/ 200 /^0\\{"sid"/'), { path: '/', status: 200, body: '/^0\\{"sid"/' });
    assert.throws(() => parseHttpExpectation('health ok'), /PATH \[origin=ORIGIN\] STATUS/);
    assert.ok(pattern('/^a.c$/m').test('x\nabc'));
    assert.ok(pattern('a.c').test('a.c') && !pattern('a.c').test('abc'), 'a plain string is no regex');
  });
});

describe('rewrite rules', () => {
  const places: Places = {
    timeServer: 'http://127.0.0.1:1001',
    page: 'http://127.0.0.1:1002',
    pageAlt: 'http://localhost:1002',
    cdn: 'http://127.0.0.1:1003',
  };
  const ports = new Map([
    [3000, 2000],
    [8080, 2001],
  ]);

  test('CDN URLs, example hosts, interfaces and ports; numbers that are not ports stay', () => {
    const text = [
      '<script src="https://cdn.jsdelivr.net/npm/server-clock@0.1/dist/cdn/server-clock.js"></script>',
      '<script src="https://unpkg.com/server-clock"></script>',
      "connectClock('https://time.example', { timeout: 3000 });",
      "allowedOrigins: ['https://www.example.com', 'https://example.com']",
      'httpServer.listen(3000); other.listen(8080, host);',
      'open http://localhost:3000/ or http://0.0.0.0:8080/',
      'PORT=8080 npm start -- --port 3000 --host 0.0.0.0',
    ].join('\n');
    assert.deepEqual(portsIn(text, 'node').sort(), [3000, 8080]);
    assert.deepEqual(portsIn('npm start', 'shell'), [3000], 'a shell server defaults to 3000');
    assert.equal(
      rewrite(text, places, ports),
      [
        '<script src="http://127.0.0.1:1003/npm/server-clock/dist/cdn/server-clock.js"></script>',
        '<script src="http://127.0.0.1:1003/npm/server-clock"></script>',
        "connectClock('http://127.0.0.1:1001', { timeout: 3000 });",
        "allowedOrigins: ['http://127.0.0.1:1002', 'http://localhost:1002']",
        "httpServer.listen(2000, '127.0.0.1'); other.listen(2001, host);",
        'open http://localhost:2000/ or http://127.0.0.1:2001/',
        'PORT=2001 npm start -- --port 2000 --host 127.0.0.1',
      ].join('\n'),
    );
  });

  test("Redis' default address is the run's redis-server, and takes no free port", () => {
    const text = 'REDIS_URL=redis://localhost:6379 npm start -- --port 3000 # or redis://127.0.0.1:6379';
    assert.deepEqual(portsIn(text, 'shell'), [3000]);
    assert.equal(
      rewrite(text, { ...places, redis: 'redis://127.0.0.1:1004' }, ports),
      'REDIS_URL=redis://127.0.0.1:1004 npm start -- --port 2000 # or redis://127.0.0.1:1004',
    );
    assert.throws(() => rewrite(text, places, ports), /no redis-server was started \(rule 7\)/);
  });

  test("a countdown's until becomes five seconds from now", () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    assert.equal(
      rewrite('<server-clock until="2030-01-01T00:00:00Z"></server-clock>', places, ports, now),
      '<server-clock until="2026-01-01T00:00:05.000Z"></server-clock>',
    );
  });

  test('shell: install, servers with a free port, curl; anything else is refused', () => {
    assert.deepEqual(planShell('npm install && npm start', ports), [
      { do: 'nothing', line: 'npm install', why: "the working copy's dependencies are installed already" },
      { do: 'serve', line: 'npm start', cwd: 'repo', argv: ['npm', 'start'], env: { PORT: '2000' } },
    ]);
    assert.deepEqual(planShell('npm install server-clock\nnpx server-clock --port 2001 # a comment', ports), [
      { do: 'install', line: 'npm install server-clock' },
      {
        do: 'serve',
        line: 'npx server-clock --port 2001',
        cwd: 'project',
        argv: ['npx', '--no', '--', 'server-clock', '--port', '2001'],
        env: {},
      },
    ]);
    assert.deepEqual(planShell('curl -i "http://localhost:2000/health"', ports), [
      {
        do: 'run',
        line: 'curl -i "http://localhost:2000/health"',
        argv: ['curl', '--silent', '--show-error', '-i', 'http://localhost:2000/health'],
      },
    ]);
    assert.throws(() => planShell('npm install left-pad', ports), /no rule runs "npm install left-pad"/);
    assert.throws(() => planShell('rm -rf dist', ports), /no rule runs "rm -rf dist"/);
  });
});

describe('runs', () => {
  const world = new SnippetWorld();
  after(() => world.close());
  const run = (doc: string) => {
    const [block] = codeBlocks(doc, 'DOC.md');
    assert.ok(block, 'a block');
    return world.run(block);
  };

  test('an unmarked block fails, before anything runs', async () => {
    await assert.rejects(run(`${fence}js\nconsole.log(1);\n${fence}`), /no <!-- snippet: … --> marker/);
  });

  test('shell: npm start, then curl to it; a server stops cleanly after the checks', { timeout: 120_000 }, async () => {
    await run(
      `<!-- snippet: shell expect-stdout="/^ok$/m" expect-http="/ready 200 ready" -->\n${fence}sh\nnpm start -- --port 3000 && curl http://localhost:3000/health\n${fence}`,
    );
    await assert.rejects(
      run(`<!-- snippet: shell expect-http="/health 200 not ok" -->\n${fence}sh\nnpm start\n${fence}`),
      /GET \/health answered "ok", not not ok/,
    );
  });

  test('types: a snippet that type-checks passes, one with a type error fails', { timeout: 120_000 }, async () => {
    const snippet = (type: string) =>
      `<!-- snippet: types -->\n${fence}ts\nimport { connectClock } from 'server-clock/sdk';\n\nconst clock = connectClock('https://time.example');\nconst now: ${type} = clock.now();\nconsole.log(now);\n${fence}`;
    await run(snippet('number'));
    await assert.rejects(run(snippet('string')), /tsc found errors:[\s\S]*TS2322/);
  });
});
