// The energy partner's console, as its users work it, in Debian's
// Chromium driven by Playwright, with axe-core run on every page.
//
// Run by cmd/partnership's TestPagesInABrowser, which starts the real
// service with the demo data and passes, in the environment:
//   BASE_URL        the service
//   PASSWORD        the demo console users' password
//   ADMIN_EMAIL     the demo partner's admin
//   SELLER_EMAIL    the demo partner's seller "Vendedor 1"
//   OTHER_EMAIL     another partner's admin
//   CHROMIUM, SCREENSHOTS as for every journey
// It prints one JSON line: {"lead": "<the lead it created>", "pages": N}.
import { fail, withBrowser } from "./browser.mjs";

const base = process.env.BASE_URL;
const { PASSWORD: password, ADMIN_EMAIL: admin, SELLER_EMAIL: seller, OTHER_EMAIL: other } = process.env;
if (!base || !password || !admin || !seller || !other) {
  throw new Error("BASE_URL, PASSWORD, ADMIN_EMAIL, SELLER_EMAIL and OTHER_EMAIL are required");
}

const out = await withBrowser(async (page, { audit, shot, audited, expectPath, follow, screenshots }) => {
  async function signIn(email, name) {
    await page.goto(`${base}/console/`);
    await expectPath(/^\/console\/entrar$/, "login page");
    await page.getByLabel("E-mail").fill(email);
    await page.getByLabel("Senha").fill(password);
    await page.getByRole("button", { name: "Entrar" }).click();
    await expectPath(/^\/console\/$/, `${name}'s pipeline`);
  }
  async function signOut() {
    await page.getByRole("button", { name: "Sair" }).click();
    await page.waitForLoadState("load");
  }
  async function notFound(url, who) {
    const res = await page.goto(url);
    if (res.status() !== 404) fail(`${who} opened ${url}: ${res.status()}`);
    await page.getByRole("heading", { name: "Página não encontrada" }).waitFor();
    await audit(`${who}: not found`);
  }

  // 1. The partner's admin signs in and sees its pipeline.
  await page.goto(`${base}/console/`);
  await expectPath(/^\/console\/entrar$/, "login page");
  await audit("login");
  await shot("console-entrar-375");
  await signIn(admin, "the admin");
  await audit("pipeline");
  await shot("console-pipeline-375");

  // 2. A new lead, its qualification shown as the bill value is typed.
  await follow("Novo lead", /^\/console\/leads\/novo$/, "new lead");
  await page.getByLabel("CPF ou CNPJ").pressSequentially("11144477735");
  if ((await page.getByLabel("CPF ou CNPJ").inputValue()) !== "111.444.777-35") fail("CPF mask");
  await page.getByLabel("Nome completo").fill("Helena Prado");
  await page.getByLabel("E-mail", { exact: true }).fill("helena@example.com");
  await page.getByLabel("Celular com DDD").pressSequentially("19998887766");
  await page.getByLabel("Nacionalidade").fill("Brasileira");
  await page.getByLabel("Estado civil").fill("Casada");
  await page.getByLabel("Profissão").fill("Arquiteta");
  await page.getByLabel("CEP").pressSequentially("13010000");
  await page.getByLabel("UF").fill("SP");
  await page.getByLabel("Cidade").fill("Campinas");
  await page.getByLabel("Rua").fill("Rua Barão de Jaguara");
  await page.getByLabel("Número", { exact: true }).fill("900");
  await page.getByLabel("Bairro").fill("Centro");
  await page.getByLabel(/Valor médio da conta/).pressSequentially("90");
  await page.getByText("Não qualificado para Geração Distribuída").waitFor();
  await page.getByLabel(/Valor médio da conta/).pressSequentially("0,15");
  await page.getByText("Qualificado para Geração Distribuída.", { exact: true }).waitFor();
  await audit("new lead, qualified");
  await shot("console-novo-lead-375");
  await page.getByRole("button", { name: "Cadastrar lead" }).click();
  await expectPath(/^\/console\/leads\/[0-9a-f-]{36}$/, "the new lead");
  const lead = new URL(page.url()).pathname.split("/").pop();

  // 3. The pipeline filtered down to it, then opened.
  await page.getByRole("link", { name: "Pipeline", exact: true }).click();
  await page.getByLabel("Cliente (nome, CPF ou CNPJ)").fill("Helena");
  await page.getByLabel("Status", { exact: true }).selectOption("indicado");
  await page.getByRole("button", { name: "Filtrar" }).click();
  await expectPath(/^\/console\/$/, "filtered pipeline");
  await page.getByText("1 lead, página 1.").waitFor();
  await audit("filtered pipeline");
  await shot("console-pipeline-filtrado-375");
  await page.getByRole("link", { name: "Helena Prado" }).click();
  await expectPath(new RegExp(`^/console/leads/${lead}$`), "the lead from the pipeline");
  if ((await page.locator("#status-atual").textContent()) !== "Indicado") fail("the new lead is not indicado");
  await audit("lead");
  await shot("console-lead-375");

  // 4. Its contract, and the status change.
  await page.getByLabel("Plano", { exact: true }).selectOption({ index: 1 });
  await page.getByRole("button", { name: "Gerar contrato" }).click();
  await page.getByText("Contrato gerado e enviado para assinatura.").waitFor();
  if ((await page.locator("#status-atual").textContent()) !== "Em negociação") fail("the status did not change");
  await page.getByRole("link", { name: "Baixar o contrato (PDF)" }).waitFor();
  await page.getByRole("button", { name: "Reenviar e-mail" }).waitFor();
  await audit("lead with its contract");
  await shot("console-contrato-375");

  // 5. Another seller's lead, found by the admin's seller filter.
  await page.goto(`${base}/console/?seller_name=${encodeURIComponent("Vendedor 2")}`);
  const othersLead = await page.locator("table.leads tbody a").first().getAttribute("href");
  if (!othersLead) fail("no lead of Vendedor 2");

  // 6. Keys (shown once) and webhooks.
  await page.getByRole("link", { name: "Chaves de API" }).click();
  await page.getByLabel("Vendedor", { exact: true }).fill("Vendedor 1");
  await page.getByRole("button", { name: "Criar chave" }).click();
  await page.getByText("Copie agora: ela não será mostrada de novo.").waitFor();
  await audit("API keys");
  await shot("console-chaves-375");
  await page.getByRole("link", { name: "Webhooks" }).click();
  await audit("webhooks");

  if (screenshots) {
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.goto(`${base}/console/`);
    await shot("console-pipeline-1280");
    await page.goto(`${base}/console/leads/${lead}`);
    await shot("console-lead-1280");
    await page.setViewportSize({ width: 375, height: 812 });
  }
  await signOut();

  // 7. A seller sees its own pipeline, and not another seller's lead.
  await signIn(seller, "the seller");
  await audit("seller's pipeline");
  await notFound(base + othersLead, "the seller");
  await page.goto(`${base}/console/`);
  await signOut();

  // 8. Another partner's user cannot open the partner's lead.
  await signIn(other, "another partner's admin");
  await notFound(`${base}/console/leads/${lead}`, "another partner");
  return { lead, pages: audited() };
});
console.log(JSON.stringify(out));
