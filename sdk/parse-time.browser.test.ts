// The strings servers push, read by each browser's own Date.parse, which differ (Firefox rolls
// 25:13 over to the next day where Chromium refuses it). The Node tests have the full set.
import { expect } from '@esm-bundle/chai';
import { parsePushedTime } from './parse-time.js';

const t = Date.UTC(2026, 10, 25, 18, 13, 2, 345) + 0.5;
const wholeSecond = Math.floor(t / 1000) * 1000;

describe('parsePushedTime in the browser', () => {
  it('reads epoch numbers, ISO 8601 and Date#toString()', () => {
    expect(parsePushedTime(t, 0)).to.deep.equal({ time: t, resolution: 0 });
    expect(parsePushedTime(String(Math.floor(t)), 0)).to.deep.equal({ time: Math.floor(t), resolution: 1 });
    expect(parsePushedTime(new Date(t).toISOString(), 0)).to.deep.equal({ time: Math.floor(t), resolution: 1 });
    expect(parsePushedTime('2026-11-25T18:13:02.3Z', 0)).to.deep.equal({ time: wholeSecond + 300, resolution: 100 });
    expect(parsePushedTime(new Date(t).toString(), 0)).to.deep.equal({ time: wholeSecond, resolution: 1000 });
    expect(parsePushedTime('Wed Nov 25 2026 19:13:02 GMT+0100 (Central European Standard Time)', 0)).to.deep.equal({
      time: wholeSecond,
      resolution: 1000,
    });
  });

  it('reads Date#toTimeString() on the day nearest the reference, in any time zone', () => {
    expect(parsePushedTime(new Date(t).toTimeString(), t + 3 * 3600_000)).to.deep.equal({
      time: wholeSecond,
      resolution: 1000,
    });
    expect(parsePushedTime('23:43:02 GMT+0530 (India Standard Time)', t - 5 * 3600_000)?.time).to.equal(wholeSecond);
    expect(parsePushedTime('08:13:02 GMT-1000 (Hawaii-Aleutian Standard Time)', t)?.time).to.equal(wholeSecond);
    const lateEvening = Date.UTC(2026, 0, 1, 23, 59, 59);
    expect(parsePushedTime('23:59:59 GMT+0000 (Coordinated Universal Time)', lateEvening + 2500)?.time).to.equal(
      lateEvening,
    );
    expect(parsePushedTime('00:00:01 GMT+0000 (Coordinated Universal Time)', lateEvening - 1000)?.time).to.equal(
      lateEvening + 2000,
    );
  });

  it('refuses what is not a time', () => {
    for (const value of [
      '25:13:02 GMT+0000 (Coordinated Universal Time)',
      '18:61:02 GMT+0000',
      '18:13:02',
      'soon',
      'Invalid Date',
      '-1795630382345',
      'Infinity',
      '1999-12-31T23:59:59Z',
      [t],
      null,
    ]) {
      expect(parsePushedTime(value, t), String(value)).to.equal(undefined);
    }
    expect(parsePushedTime('18:13:02 GMT+0000 (Coordinated Universal Time)', NaN)).to.equal(undefined);
  });
});
