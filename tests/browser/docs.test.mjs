// Swagger UI at /docs/ in headless Chromium: authorise with a token, run
// "Try it out" on GET /api/v1/areas, and check that no request left 127.0.0.1.
// Environment: FAMILIEBRO_URL, ADMIN_TOKEN; CHROMIUM (default /usr/bin/chromium).

import { chromium } from "playwright-core";

const base = process.env.FAMILIEBRO_URL;
const token = process.env.ADMIN_TOKEN;
if (!base || !token) {
  throw new Error("set FAMILIEBRO_URL and ADMIN_TOKEN");
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  args: [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
  ],
});
const outside = [];
try {
  const page = await browser.newPage();
  page.on("request", (request) => {
    const url = new URL(request.url());
    if (!["http:", "https:"].includes(url.protocol)) return;
    if (url.hostname !== "127.0.0.1") outside.push(request.url());
  });
  await page.goto(`${base}/docs/`);
  await page.getByRole("button", { name: "Authorize" }).first().click();
  const bearer = page.locator(".modal-ux .auth-container").first();
  await bearer.locator("input").fill(token);
  await bearer.locator("button.authorize").click();
  await bearer.locator("button.btn-done").click();

  const operation = page.locator("#operations-areas-list_areas");
  await operation.locator(".opblock-summary").click();
  await operation.getByRole("button", { name: "Try it out" }).click();
  await operation.getByRole("button", { name: "Execute" }).click();
  const status = operation.locator(".live-responses-table tbody .response-col_status").first();
  await status.waitFor({ timeout: 15_000 });
  const code = (await status.innerText()).trim();
  if (!code.startsWith("200")) {
    throw new Error(`Try it out answered ${code}`);
  }
  const body = await operation.locator(".live-responses-table .microlight").first().innerText();
  if (!body.includes("\"items\"")) {
    throw new Error(`the response shows no list: ${body.slice(0, 200)}`);
  }
  if (process.env.SCREENSHOT) {
    await page.screenshot({ path: process.env.SCREENSHOT, fullPage: false });
  }
  if (outside.length > 0) {
    throw new Error(`requests left 127.0.0.1: ${outside.join(", ")}`);
  }
  console.log("Swagger UI: authorised, GET /api/v1/areas tried out (200), no request left 127.0.0.1");
} finally {
  await browser.close();
}
