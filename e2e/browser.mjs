// What every browser test shares: Debian's Chromium launched the way CI
// can run it, axe-core run on the page as visitors get it, CSP violations
// collected, screenshots on request.
import { chromium } from "playwright-core";
import axe from "axe-core";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export function fail(msg) {
  throw new Error(msg);
}

// withBrowser runs fn(page, tools) in a fresh profile on a 375×812 phone
// viewport and closes everything afterwards. tools: audit(name) runs
// axe-core (failing on any serious or critical violation), shot(name)
// saves a full-page screenshot when SCREENSHOTS names a directory,
// expectPath(re, what) checks where the page is, follow(name, re, what)
// clicks a link and checks and audits the page it opens, and audited()
// counts the pages audited. Any CSP violation or page error fails the run.
export async function withBrowser(fn) {
  const shots = process.env.SCREENSHOTS || "";
  const userDataDir = mkdtempSync(join(tmpdir(), "e2e-chromium-"));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    headless: true,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    viewport: { width: 375, height: 812 },
    locale: "pt-BR",
  });
  const problems = [];
  let audited = 0;
  try {
    const page = context.pages()[0] || (await context.newPage());
    page.on("console", (m) => {
      if (/Content Security Policy|Refused to/i.test(m.text())) problems.push(m.text());
    });
    page.on("pageerror", (e) => problems.push("page error: " + e.message));
    const tools = {
      // axe-core is evaluated through the DevTools protocol, which the
      // page's CSP does not govern, so the CSP stays as visitors get it.
      async audit(name) {
        await page.evaluate(axe.source);
        const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ["violations"] }));
        const bad = result.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
        if (bad.length) {
          fail(`${name}: axe found ${bad.map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target).join(", ")}`).join("; ")}`);
        }
        audited++;
      },
      async shot(name) {
        if (shots) await page.screenshot({ path: join(shots, name + ".png"), fullPage: true });
      },
      // expectPath waits for the page to load and fails unless its path
      // matches re.
      async expectPath(re, what) {
        await page.waitForLoadState("load");
        if (!re.test(new URL(page.url()).pathname)) fail(`${what}: at ${page.url()}`);
      },
      // follow clicks the link named name (options: Playwright's, such
      // as exact) and checks and audits the page it opens, what, which
      // must be at a path matching re.
      async follow(name, re, what, options = {}) {
        await page.getByRole("link", { name, ...options }).click();
        await tools.expectPath(re, what);
        await tools.audit(what);
      },
      audited: () => audited,
      screenshots: shots !== "",
    };
    const result = await fn(page, tools);
    if (problems.length) fail("CSP violations or page errors: " + problems.join(" | "));
    return result;
  } finally {
    await context.close();
    rmSync(userDataDir, { recursive: true, force: true });
  }
}
