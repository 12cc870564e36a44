// web-test-runner plugin: the page's clock, controlled from a test with Playwright's page.clock
// (it fakes Date, performance and the timers alike). Only the test runner holds the Playwright
// page, so tests ask for it through executeServerCommand('page-clock', { action, … }).
// Other launchers (Puppeteer) have no such clock: the answer says so, and the test skips.

// Before pausing, the page's clock runs in step with real time: pause it this far ahead of the
// page's time as read, since pauseAt cannot go back and the command takes a moment to arrive.
const PAUSE_AHEAD_MS = 250;

const ACTIONS = {
  // The wall clock `offset` ms from the machine's (installs the fake clock if need be). Relative
  // to the machine's clock, so that the test needs no clock of its own to ask with.
  skew: (page, { offset }) => page.clock.setSystemTime(Date.now() + offset),
  // Fake time and timers from now on, in step with real time until paused.
  install: (page) => page.clock.install(),
  // Time stands still; from now on it moves only by `run`.
  pause: async (page) => page.clock.pauseAt((await page.evaluate(() => Date.now())) + PAUSE_AHEAD_MS),
  // Moves paused time `ms` on, firing the timers due on the way, in order.
  run: (page, { ms }) => page.clock.runFor(ms),
  // Back in step with real time, from where it stood.
  resume: (page) => page.clock.resume(),
};

export function pageClockPlugin() {
  return {
    name: 'page-clock',
    async executeCommand({ command, payload, session }) {
      if (command !== 'page-clock') return undefined;
      const action = ACTIONS[payload.action];
      if (!action) throw new Error(`page-clock: unknown action "${payload.action}"`);
      const page = session.browser.getPage?.(session.id);
      if (!page?.clock) return { supported: false };
      await action(page, payload);
      return { supported: true };
    },
  };
}
