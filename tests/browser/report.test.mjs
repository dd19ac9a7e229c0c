// The steering group's report page in headless Chromium: it renders with its
// tables and inline SVG charts, loads nothing else (no script, no request but
// the page itself), breaks no Content-Security-Policy rule, and a screenshot
// of it is written to REPORT_SCREENSHOT when set.
// Environment: FAMILIEBRO_URL, WORKER_TOKEN, AREA_ID; CHROMIUM (default /usr/bin/chromium).

import { chromium } from "playwright-core";

const base = process.env.FAMILIEBRO_URL;
const token = process.env.WORKER_TOKEN;
const area = process.env.AREA_ID;
if (!base || !token || !area) {
  throw new Error("set FAMILIEBRO_URL, WORKER_TOKEN and AREA_ID");
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"],
});
try {
  const context = await browser.newContext({
    extraHTTPHeaders: { Authorization: `Bearer ${token}`, Accept: "text/html" },
    viewport: { width: 1000, height: 1400 },
  });
  const page = await context.newPage();
  const requests = [];
  const problems = [];
  page.on("request", (request) => requests.push(request.url()));
  page.on("console", (message) => {
    if (message.type() === "error") problems.push(message.text());
  });
  const url = `${base}/api/v1/areas/${area}/report`;
  const response = await page.goto(url);
  if (response.status() !== 200) {
    throw new Error(`the report answered ${response.status()}`);
  }
  const heading = await page.locator("h1").innerText();
  if (!heading.includes("Rapport til styregruppen")) {
    throw new Error(`unexpected heading: ${heading}`);
  }
  const charts = page.locator("figure svg");
  const count = await charts.count();
  if (count < 2) {
    throw new Error(`expected the attendance and outcome charts, found ${count} chart(s)`);
  }
  for (let index = 0; index < count; index++) {
    const box = await charts.nth(index).boundingBox();
    if (!box || box.width < 100 || box.height < 100) {
      throw new Error(`chart ${index + 1} is not drawn: ${JSON.stringify(box)}`);
    }
  }
  const tables = await page.locator("table").count();
  if (tables < 8) {
    throw new Error(`expected every section's table, found ${tables}`);
  }
  if (await page.locator("script").count() > 0) {
    throw new Error("the report page carries a script");
  }
  if (requests.length !== 1 || requests[0] !== url) {
    throw new Error(`the page loaded more than itself: ${requests.join(", ")}`);
  }
  if (problems.length > 0) {
    throw new Error(`the browser reported: ${problems.join("; ")}`);
  }
  if (process.env.REPORT_SCREENSHOT) {
    await page.screenshot({ path: process.env.REPORT_SCREENSHOT, fullPage: true });
  }
  console.log(`report page: ${tables} tables, ${count} inline SVG charts, no script, nothing loaded but itself`);
} finally {
  await browser.close();
}
