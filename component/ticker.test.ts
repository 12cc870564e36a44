// The shared ticker (component/ticker.ts) in Node: a run spread over slices of a few ms, each in
// a task of its own, a run asked for while one is in progress, and the timer's due times.
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { runSoon, subscribe, tickerStatus, unsubscribe, type TickSubscriber } from './ticker.js';
import { monotonicNow } from '../sdk/monotonic.js';

/** Busy for `ms` of wall-clock time, as a tick that renders is. */
function busy(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until);
}

/**
 * Subscribers whose ticks take `ms` each, and the ticks in order: which one, and in which slice
 * (a run of synchronous script: a microtask after the first tick of a slice ends it).
 */
function slowSubscribers(count: number, ms: number) {
  const ticks: { index: number; slice: number }[] = [];
  let slice = 0;
  let inSlice = false;
  const subscribers = Array.from({ length: count }, (_, index): TickSubscriber => ({
    tick() {
      if (!inSlice) {
        inSlice = true;
        slice++;
        queueMicrotask(() => (inSlice = false));
      }
      ticks.push({ index, slice });
      busy(ms);
      return 1000;
    },
  }));
  return { subscribers, ticks };
}

const subscribed: TickSubscriber[] = [];
afterEach(() => {
  for (const subscriber of subscribed.splice(0)) unsubscribe(subscriber);
  assert.deepEqual(tickerStatus(), { armed: false, subscribers: 0 });
});

async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

test('a run ticks everybody once, in slices of about 8 ms, each in a task of its own', async () => {
  const { subscribers, ticks } = slowSubscribers(40, 1);
  for (const subscriber of subscribers) subscribe(subscriber);
  subscribed.push(...subscribers);
  await until(() => ticks.length >= 40, 'every subscriber ticked');
  assert.deepEqual(
    ticks.map((t) => t.index),
    subscribers.map((_, index) => index),
    'each once, in order',
  );
  const perSlice = new Map<number, number>();
  for (const { slice } of ticks) perSlice.set(slice, (perSlice.get(slice) ?? 0) + 1);
  // A slice ends with the tick that takes it to 8 ms: with ticks of at least 1 ms, 8 at most.
  assert.ok(perSlice.size >= 5, `40 ms of ticks in ${perSlice.size} slices`);
  for (const [slice, count] of perSlice) assert.ok(count <= 8, `slice ${slice}: ${count} ticks`);
  assert.equal(tickerStatus().armed, true, 'then sleeps until the next change');
});

test('a run asked for during a run goes on, then ticks again those it had ticked', async () => {
  const { subscribers, ticks } = slowSubscribers(30, 1);
  let asked = -1;
  // In the second slice, one of them has news (a new estimate, say).
  const tick = subscribers[12].tick.bind(subscribers[12]);
  subscribers[12].tick = (at) => {
    if (asked === -1) {
      asked = ticks.length;
      runSoon();
    }
    return tick(at);
  };
  for (const subscriber of subscribers) subscribe(subscriber);
  subscribed.push(...subscribers);
  await until(() => ticks.length >= 30 + 13, 'the rest, then those ticked before the request');
  await new Promise((resolve) => setTimeout(resolve, 50));
  const after = ticks.slice(asked).map((t) => t.index);
  // Those not yet ticked first, in order (no new start from the first), then again the others, once each.
  const rest = [...subscribers.keys()].slice(12);
  assert.deepEqual(after.slice(0, rest.length), rest);
  const again = after.slice(rest.length);
  assert.deepEqual(
    again,
    [...again].sort((a, b) => a - b),
    'then again in order',
  );
  assert.equal(again[0], 0, 'from the first');
  assert.ok(again.length >= 12 && again.length < 30, `${again.length} ticked again: those ticked before the request`);
});

test('the timer ticks only those whose tick is due; a run asked for ticks everybody', async () => {
  const ticks = new Map<string, number>();
  const every = (name: string, ms: number): TickSubscriber => ({
    tick() {
      ticks.set(name, (ticks.get(name) ?? 0) + 1);
      return ms;
    },
  });
  // (Five ticks 5 ms apart take far less than the second the others wait, on a busy machine too.)
  const fast = every('fast', 5);
  const slow = every('slow', 1000);
  const unknown: TickSubscriber = {
    tick() {
      ticks.set('unknown', (ticks.get('unknown') ?? 0) + 1);
      return undefined;
    },
  };
  for (const subscriber of [fast, slow, unknown]) subscribe(subscriber);
  subscribed.push(fast, slow, unknown);
  await until(() => (ticks.get('fast') ?? 0) >= 5, 'five ticks of the one due every 5 ms');
  assert.equal(ticks.get('slow'), 1, 'the one due in a second: only the first run');
  assert.equal(ticks.get('unknown'), 1, 'the one that does not know: at the latest a second later');
  runSoon();
  await until(() => ticks.get('slow') === 2, 'a run asked for');
  assert.equal(ticks.get('unknown'), 2, 'everybody');
  await until(() => (ticks.get('unknown') ?? 0) >= 3, 'a second later');
});

test('one unsubscribed while it waits in a run is passed over; the last, unsubscribed in its own tick, leaves no timer', async () => {
  const { subscribers, ticks } = slowSubscribers(20, 1);
  // In the first slice, one of them takes away one that waits further on (an element removed).
  const tick = subscribers[2].tick.bind(subscribers[2]);
  subscribers[2].tick = (at) => {
    unsubscribe(subscribers[15]);
    return tick(at);
  };
  for (const subscriber of subscribers) subscribe(subscriber);
  subscribed.push(...subscribers);
  await until(() => ticks.some((t) => t.index === 19), 'the run to its end');
  assert.ok(
    ticks.every((t) => t.index !== 15),
    'the one taken away is not ticked',
  );
  assert.ok(ticks[ticks.length - 1].slice > ticks[0].slice, 'over more than one slice');

  for (const subscriber of subscribers.slice(1)) unsubscribe(subscriber);
  let lastTicked = false;
  subscribers[0].tick = () => {
    lastTicked = true;
    unsubscribe(subscribers[0]);
    return 1000;
  };
  runSoon();
  await until(() => lastTicked, 'the last one ticked');
  assert.deepEqual(tickerStatus(), { armed: false, subscribers: 0 }, 'no timer left armed for nobody');
});

test('ticks come in batches of at most 64, each followed by its writes, in the same order', async () => {
  const { subscribers } = slowSubscribers(150, 0);
  const events: { kind: 'tick' | 'write'; index: number }[] = [];
  for (const [index, subscriber] of subscribers.entries()) {
    const tick = subscriber.tick.bind(subscriber);
    subscriber.tick = (at) => {
      events.push({ kind: 'tick', index });
      return tick(at);
    };
    subscriber.write = () => events.push({ kind: 'write', index });
  }
  for (const subscriber of subscribers) subscribe(subscriber);
  subscribed.push(...subscribers);
  await until(() => events.filter((e) => e.kind === 'write').length >= 150, 'every write');
  // The first run's events, as batches: a run of ticks, then a run of writes.
  const batches: { ticks: number[]; writes: number[] }[] = [];
  for (const { kind, index } of events.slice(0, 300)) {
    const last = batches.at(-1);
    if (kind === 'tick' && (!last || last.writes.length > 0)) batches.push({ ticks: [index], writes: [] });
    else if (kind === 'tick') last!.ticks.push(index);
    else last!.writes.push(index);
  }
  assert.ok(batches.length >= 3, `150 ticks in ${batches.length} batches`);
  for (const { ticks, writes } of batches) {
    assert.ok(ticks.length <= 64, `a batch of ${ticks.length}`);
    assert.deepEqual(writes, ticks, "a batch's writes: one for each of its ticks, in order");
  }
  assert.deepEqual(
    batches.flatMap((b) => b.ticks),
    subscribers.map((_, index) => index),
  );
});

test('each tick is at a reading of the local clock a few ticks old at most, and its due counts from it', async () => {
  const seen: { index: number; at: number; read: number }[] = [];
  const subscribers = Array.from({ length: 20 }, (_, index): TickSubscriber => ({
    tick(at) {
      seen.push({ index, at, read: monotonicNow() });
      busy(0.2);
      return 50;
    },
  }));
  for (const subscriber of subscribers) subscribe(subscriber);
  subscribed.push(...subscribers);
  await until(() => seen.filter((s) => s.index === 19).length >= 3, 'three ticks of each');
  for (const { at, read } of seen) {
    // Eight ticks of 0.2 ms, with room for a busy machine.
    assert.ok(at <= read && read - at < 30, `an instant ${read - at} ms old`);
  }
  for (const index of [0, 19]) {
    const ats = seen.filter((s) => s.index === index).map((s) => s.at);
    for (let i = 1; i < ats.length; i++)
      assert.ok(ats[i] >= ats[i - 1] + 50, `ticked again after ${ats[i] - ats[i - 1]} ms`);
  }
});
