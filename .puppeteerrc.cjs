// Browsers come from the system (Debian's chromium / firefox-esr); never download one.
/** @type {import('puppeteer').Configuration} */
module.exports = { skipDownload: true };
