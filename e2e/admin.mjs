// The operator console, as an operator uses it: a user of another realm
// is refused at the login; the operator signs in, changes a plan's price
// (first with a mistake, to see the admin API's message) and the
// storefront shows the new price; the audit trail shows the change; the
// GD catalog's areas import reports a CSV's refused lines; a partner's API
// key is shown once and revoked; a companies account and user are created.
// In Debian's Chromium driven by Playwright, with axe-core on every page.
//
// Run by cmd/partnership's TestPagesInABrowser, which starts the real
// service with the demo data and passes, in the environment:
//   BASE_URL                            the service
//   SLUG                                the demo provider's slug
//   OPERATOR_EMAIL, OPERATOR_PASSWORD   an operator's login
//   OTHER_EMAIL, OTHER_PASSWORD         a provider back-office user's login
//   CHROMIUM, SCREENSHOTS               as browser.mjs reads them
// It prints one JSON line: {"pages": N, "price": "<the storefront's price>"}.
import { fail, withBrowser } from "./browser.mjs";

const env = process.env;
const base = env.BASE_URL;
for (const k of ["BASE_URL", "SLUG", "OPERATOR_EMAIL", "OPERATOR_PASSWORD", "OTHER_EMAIL", "OTHER_PASSWORD"]) {
  if (!env[k]) throw new Error(k + " is required");
}

const out = await withBrowser(async (page, { audit, shot, expectPath, follow, audited, screenshots }) => {
  async function login(email, password) {
    await page.getByLabel("E-mail").fill(email);
    await page.getByLabel("Senha").fill(password);
    await page.getByRole("button", { name: "Entrar" }).click();
    await page.waitForLoadState("load");
  }

  // 1. No session: the console sends to its login.
  await page.goto(`${base}/admin/`);
  await expectPath(/^\/admin\/entrar$/, "login");
  await audit("login");
  await shot("admin-entrar-375");

  // 2. A provider's user is no operator: refused at this login, and its
  // back-office session opens nothing here.
  await login(env.OTHER_EMAIL, env.OTHER_PASSWORD);
  await expectPath(/^\/admin\/entrar$/, "login refused");
  await page.getByText("E-mail ou senha incorretos.").waitFor();
  await page.goto(`${base}/provedor/entrar`);
  await login(env.OTHER_EMAIL, env.OTHER_PASSWORD);
  await expectPath(/^\/provedor\//, "the provider's own back-office");
  await page.goto(`${base}/admin/provedores`);
  await expectPath(/^\/admin\/entrar$/, "a back-office session at the operator console");

  // 3. The operator.
  await login(env.OPERATOR_EMAIL, env.OPERATOR_PASSWORD);
  await expectPath(/^\/admin\/provedores$/, "providers");
  await audit("providers");
  await shot("admin-provedores-375");
  await follow("Conecte Fibra Curitiba", /^\/admin\/provedores\/\d+$/, "provider");
  await shot("admin-provedor-375");
  await follow("Fibra 300", /\/planos\/\d+$/, "plan");

  // 4. A price the admin API refuses: its message, next to the field.
  await page.getByLabel("Mensalidade (R$)").fill("noventa");
  await page.getByRole("button", { name: "Salvar plano" }).click();
  const error = page.locator("#f-mensalidade-erro");
  await error.waitFor();
  if ((await error.textContent()) !== "deve ser um valor como 29.90") fail(`price error "${await error.textContent()}"`);
  await audit("plan with an error");
  await shot("admin-plano-erro-375");

  // 5. The new price.
  await page.getByLabel("Mensalidade (R$)").fill("119,90");
  await page.getByRole("button", { name: "Salvar plano" }).click();
  await expectPath(/^\/admin\/provedores\/\d+$/, "back on the provider");
  await page.getByRole("cell", { name: "R$ 119,90" }).waitFor();
  const providerPage = page.url();

  // 6. The storefront shows it.
  await page.goto(`${base}/loja/${env.SLUG}`);
  const card = page.locator("li.card", { has: page.getByRole("heading", { name: "Fibra 300" }) }).first();
  const price = ((await card.locator(".price").textContent()) || "").replace(/\s*\/mês\s*$/, "").replace(/\s+/g, " ").trim();
  if (price !== "R$ 119,90") fail(`the storefront shows ${price}`);
  await audit("storefront");

  // 7. The trail.
  await page.goto(`${base}/admin/auditoria`);
  const row = page.getByRole("row", { name: /Plano alterado/ });
  await row.waitFor();
  const text = await row.textContent();
  if (!text.includes(env.OPERATOR_EMAIL) || !text.includes("99,90") || !text.includes("119,90")) fail(`audit row: ${text}`);
  await audit("audit trail");
  await shot("admin-auditoria-375");

  // 8. The GD catalog: a utility's page, and an areas import from a CSV
  // upload with its progress bar and the report of the refused lines.
  await follow("Catálogo GD", /^\/admin\/catalogo$/, "catalog");
  const utility = page.locator("tbody tr td a").first();
  const utilityName = (await utility.textContent()).trim();
  await utility.click();
  await expectPath(/^\/admin\/catalogo\/distribuidoras\/[0-9a-f-]+$/, "utility");
  await audit("utility");
  await shot("admin-distribuidora-375");
  await page.goto(`${base}/admin/catalogo`);
  const csv = `utility_name,ibge_code\n${utilityName},3550308\nDistribuidora Inexistente,3304557\n`;
  await page.getByLabel("Arquivo CSV").setInputFiles({ name: "areas.csv", mimeType: "text/csv", buffer: Buffer.from(csv) });
  await page.getByLabel("Só simular (não grava nada)").check();
  await page.getByRole("button", { name: "Importar" }).click();
  await page.getByRole("heading", { name: "Simulação da importação (nada foi gravado)" }).waitFor();
  await page.getByText("Distribuidora Inexistente: 1 linha(s)").waitFor();
  await audit("areas import report");
  await shot("admin-catalogo-importacao-375");

  // 9. An energy partner and its API key: shown once, then revoked.
  await follow("Parceiros", /^\/admin\/parceiros$/, "partners");
  await page.getByLabel("Nome do parceiro").fill("Solar do Browser");
  await page.getByRole("button", { name: "Criar parceiro" }).click();
  await expectPath(/^\/admin\/parceiros\/[0-9a-f-]+$/, "partner");
  await page.getByLabel("Vendedor (nome gravado nas indicações)").fill("Vendedora Ana");
  await page.getByRole("button", { name: "Emitir chave" }).click();
  const key = ((await page.locator(".secret").textContent()) || "").trim();
  if (!/^pk_[a-z0-9]+_[a-z0-9]+$/.test(key)) fail(`no key shown: ${key}`);
  await audit("partner with a new key");
  await page.getByRole("button", { name: /^Revogar a chave/ }).click();
  await page.getByText(/revogada em/).waitFor();
  if (await page.getByText(key).count()) fail("the key is shown again");
  await audit("partner");
  await shot("admin-parceiro-375");

  // 10. A companies account and its user.
  await page.getByRole("link", { name: "Contas" }).click();
  await expectPath(/^\/admin\/contas$/, "accounts");
  await page.getByLabel("Nome da conta").fill("Cliente do Browser");
  await page.getByRole("button", { name: "Criar conta" }).click();
  await page.getByRole("cell", { name: "Cliente do Browser" }).waitFor();
  await page.getByLabel("E-mail").fill("cliente@example.com");
  await page.getByLabel("Senha").fill("curta");
  await page.getByLabel("Conta", { exact: true }).fill("Cliente do Browser");
  await page.getByRole("button", { name: "Criar usuário" }).click();
  await page.locator("#f-password-erro").waitFor();
  await audit("accounts with an error");
  await shot("admin-contas-375");
  await page.getByLabel("Senha").fill("uma senha longa");
  await page.getByRole("button", { name: "Criar usuário" }).click();
  await page.getByRole("cell", { name: "cliente@example.com" }).waitFor();
  await audit("accounts");

  if (screenshots) {
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.goto(providerPage);
    await shot("admin-provedor-1280");
    await page.goto(`${base}/admin/auditoria`);
    await shot("admin-auditoria-1280");
    await page.setViewportSize({ width: 375, height: 812 });
  }

  // 11. Out.
  await page.getByRole("button", { name: "Sair", exact: true }).click();
  await expectPath(/^\/admin\/entrar$/, "logged out");
  await page.goto(`${base}/admin/provedores`);
  await expectPath(/^\/admin\/entrar$/, "after logout");
  return { pages: audited(), price, key };
});
console.log(JSON.stringify(out));
