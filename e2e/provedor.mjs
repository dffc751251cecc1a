// The providers' back-office, as a provider's staff member uses it on a
// phone, in Debian's Chromium driven by Playwright, with axe-core run on
// every page: sign in (a wrong password first), find the storefront's
// sign-up among the subscriptions, open it, and change a plan's price
// (a malformed one first, answered next to the field).
//
// Run by cmd/partnership's TestPagesInABrowser after the storefront
// journey, on the same service, with, in the environment:
//   BASE_URL     the service
//   EMAIL, PASSWORD  the demo provider user
//   REFERENCE    the subscription the storefront journey made
//   PLAN, PRICE  the plan to change and its new price, as typed ("89,90")
//   CHROMIUM, SCREENSHOTS  as for storefront.mjs
// It prints one JSON line: {"pages": N}.
import { fail, withBrowser } from "./browser.mjs";

const { BASE_URL: base, EMAIL: email, PASSWORD: password, REFERENCE: reference, PLAN: plan, PRICE: price } = process.env;
if (!base || !email || !password || !reference || !plan || !price) {
  throw new Error("BASE_URL, EMAIL, PASSWORD, REFERENCE, PLAN and PRICE are required");
}

const out = await withBrowser(async (page, { audit, shot, expectPath, follow, audited, screenshots }) => {
  // 1. Signed out, the back-office sends to its login, and back after it.
  await page.goto(`${base}/provedor/assinaturas`);
  await expectPath(/^\/provedor\/entrar$/, "login");
  await audit("login");
  await page.getByLabel("E-mail").fill(email);
  await page.getByLabel("Senha").fill("senha-errada-1");
  await page.getByRole("button", { name: "Entrar" }).click();
  await page.getByText("E-mail ou senha incorretos.").waitFor();
  await audit("login refused");
  await shot("provedor-entrar-375");
  await page.getByLabel("Senha").fill(password);
  await page.getByRole("button", { name: "Entrar" }).click();
  await expectPath(/^\/provedor\/assinaturas$/, "subscriptions");
  await audit("subscriptions");

  // 2. The sign-up the storefront took, among the complete ones.
  await page.getByLabel("Situação").selectOption("completa");
  await page.getByRole("button", { name: "Filtrar" }).click();
  await page.waitForLoadState("load");
  if (!new URL(page.url()).search.includes("situacao=completa")) fail("filter not applied");
  await audit("subscriptions filtered");
  await shot("provedor-assinaturas-375");
  await page.getByRole("link", { name: "Maria Souza" }).click();
  await expectPath(new RegExp(`^/provedor/assinaturas/${reference}$`), "subscription");
  for (const doc of ["Comprovante de residência", "RG", "Selfie"]) {
    await page.getByRole("link", { name: doc, exact: true }).waitFor();
  }
  await audit("subscription");
  await shot("provedor-assinatura-375");

  // 3. A plan's price: a malformed one, then the new one.
  await follow("Planos", /^\/provedor\/planos$/, "plans");
  await follow(plan, /^\/provedor\/planos\/\d+$/, "plan form", { exact: true });
  const priceField = page.getByLabel("Mensalidade", { exact: true });
  await priceField.fill("noventa");
  await page.getByRole("button", { name: "Salvar plano" }).click();
  const error = page.locator("#f-mensalidade-erro");
  await error.waitFor();
  if (!(await priceField.evaluate((el) => el === document.activeElement))) fail("wrong field not focused");
  await audit("plan form with an error");
  await shot("provedor-plano-erro-375");
  await priceField.fill(price);
  await page.getByRole("button", { name: "Salvar plano" }).click();
  await page.getByText("Plano salvo.").waitFor();
  if ((await priceField.inputValue()) !== price) fail(`price shows ${await priceField.inputValue()}`);
  await audit("plan saved");

  if (screenshots) {
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.goto(`${base}/provedor/assinaturas`);
    await shot("provedor-assinaturas-1280");
    await page.goto(`${base}/provedor/assinaturas/${reference}`);
    await shot("provedor-assinatura-1280");
  }
  return { pages: audited() };
});
console.log(JSON.stringify(out));
