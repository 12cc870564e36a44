// web-test-runner plugin: sets the page's wall clock from a test, with Playwright's page.clock.
// Only the test runner holds the Playwright page, so tests ask for it through executeServerCommand.
// Other launchers (Puppeteer) have no such clock: the answer says so, and the test skips.
export function pageClockPlugin() {
  return {
    name: 'page-clock',
    async executeCommand({ command, payload, session }) {
      if (command !== 'page-clock') return undefined;
      const page = session.browser.getPage?.(session.id);
      if (!page?.clock) return { supported: false };
      // Relative to the machine's clock, so that the test needs no clock of its own to ask with.
      await page.clock.setSystemTime(Date.now() + payload.offset);
      return { supported: true };
    },
  };
}
